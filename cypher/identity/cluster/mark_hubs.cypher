// Clustering step 1: mark hubs among the given identifiers: the identifiers that must
// not glue people together: those that tie more people than one plausibly shares (a
// shop kiosk, a staff e-mail, a ring's shared phone), counted per type among the types
// that name people ($limits: accounts, e-mails, phones; cards, devices and cookies do
// not count), those of non-identifying types (ip), and blocked values. Anchors (types
// naming one account in a source system) are never hubs, whatever they hold. Hubs take
// no part in components; they are shared.
// Parameters:
//   $ids             list of identifier node ids
//   $limits          map type -> integer, e.g. {email: 4, phone: 3, account: 3}; types
//                    not in it are not counted
//   $non_identifying list of types that never glue, e.g. ["ip"]
//   $anchors         list of anchor types, e.g. ["account"]: never hubs
// Columns: id, the identifiers that just became hubs (what they glued must be
//   recomputed).
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
WITH i, coalesce(i.hub, false) AS was,
     NOT i.type IN $anchors AND (
       i.type IN $non_identifying OR coalesce(i.blocked, false) OR COUNT {
         MATCH (i)-[:LINKED]-(n:Identifier)
         WHERE n.type IN keys($limits)
         WITH n.type AS kind, count(DISTINCT n) AS seen
         WHERE seen > $limits[kind]
         RETURN kind
       } > 0
     ) AS now
SET i.hub = now
WITH i, was, now
WHERE now AND NOT was
RETURN elementId(i) AS id

// Clustering step 1: mark hubs among the given identifiers: the identifiers that must
// not glue people together: those linked to more distinct identifiers of one type
// than one person plausibly has (a shop kiosk, a staff e-mail, a ring's shared phone),
// those of non-identifying types (ip), and blocked values. Hubs take no part in
// components; they are shared.
// Parameters:
//   $ids             list of identifier node ids
//   $limits          map type -> integer, e.g. {email: 4, phone: 3}
//   $non_identifying list of types that never glue, e.g. ["ip"]
// Returns: the identifiers that just became hubs (what they glued must be recomputed).
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
WITH i, coalesce(i.hub, false) AS was,
     i.type IN $non_identifying OR coalesce(i.blocked, false) OR COUNT {
       MATCH (i)-[:LINKED]-(n:Identifier)
       WITH n.type AS kind, count(DISTINCT n) AS seen
       WHERE seen > coalesce($limits[kind], 2147483647)
       RETURN kind
     } > 0 AS now
SET i.hub = now
WITH i, was, now
WHERE now AND NOT was
RETURN elementId(i) AS id

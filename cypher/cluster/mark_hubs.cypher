// Clustering step 1: mark hubs, the identifiers that must not glue people together:
// those linked to more distinct identifiers of one type than one person plausibly has
// (a shop kiosk, a staff e-mail, a ring's shared phone), those of non-identifying types
// (ip), and blocked values. Hubs take no part in components; they are shared.
// Parameters:
//   $limits          map type -> integer, e.g. {email: 4, phone: 3}
//   $non_identifying list of types that never glue, e.g. ["ip"]
// Run in an auto-commit transaction (it commits every 5,000 identifiers).
MATCH (i:Identifier)
CALL (i) {
  OPTIONAL MATCH (i)-[:LINKED]-(n:Identifier)
  WITH n.type AS kind, count(DISTINCT n) AS seen
  WHERE kind IS NOT NULL AND seen > coalesce($limits[kind], 2147483647)
  WITH count(*) AS over
  SET i.hub = over > 0 OR i.type IN $non_identifying OR coalesce(i.blocked, false)
} IN TRANSACTIONS OF 5000 ROWS

// Risk signals 1: every card and device that an active identity holds (a member) or
// uses (a shared identifier, USED_BY), with every active identity that holds or uses it.
// Parameters: $types list of identifier types (card, device)
// Columns: id (node id, opaque: never the value), type, first_seen (epoch ms),
//          users (identity ids of the active identities holding or using it)
MATCH (i:Identifier)
WHERE i.type IN $types
CALL (i) {
  OPTIONAL MATCH (i)-[:USED_BY]->(p:Identity {status: 'active'})
  RETURN collect(p.identity_id) AS shared
}
CALL (i) {
  OPTIONAL MATCH (o:Identity {identity_id: i.identity_id})
  WHERE o.status = 'active'
  RETURN collect(o.identity_id) AS owner
}
WITH i, owner + [s IN shared WHERE NOT s IN owner] AS users
WHERE size(users) > 0
RETURN elementId(i) AS id, i.type AS type, i.first_seen.epochMillis AS first_seen, users

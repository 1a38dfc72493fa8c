// Explorer: whether a ring exists and its member identities (for the export of a ring).
// Parameters: $ring_id string, $cap integer (members at most)
// Columns: found (boolean), members (identity ids, highest risk first)
OPTIONAL MATCH (r:Ring {ring_id: $ring_id})
CALL (r) {
  OPTIONAL MATCH (p:Identity)-[:IN_RING]->(r)
  WITH p ORDER BY coalesce(p.risk, 0.0) DESC, p.identity_id LIMIT $cap
  RETURN collect(p.identity_id) AS members
}
RETURN r IS NOT NULL AS found, members

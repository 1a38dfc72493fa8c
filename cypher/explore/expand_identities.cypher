// Explorer: one hop out of each identity: its member identifiers (MEMBER) seen in the
// time window, and the shared identifiers it uses (USED_BY). At most $cap of each kind
// per identity, most used first (the caller asks one more than it keeps).
// Parameters: $ids list of identity ids, $cap integer, $since datetime or null
//   (identifiers last seen at or after), $until datetime or null (first seen strictly
//   before)
// Columns: identity_id (the identity expanded), kind (MEMBER or USED_BY), n_type, n_value
UNWIND $ids AS id
MATCH (p:Identity {identity_id: id})
CALL (p) {
  MATCH (m:Identifier {identity_id: p.identity_id})
  WHERE ($since IS NULL OR m.last_seen >= $since) AND ($until IS NULL OR m.first_seen < $until)
  WITH m ORDER BY m.event_count DESC, m.type, m.value LIMIT $cap
  RETURN 'MEMBER' AS kind, m.type AS n_type, m.value AS n_value
  UNION ALL
  MATCH (s:Identifier)-[u:USED_BY]->(p)
  WHERE ($since IS NULL OR s.last_seen >= $since) AND ($until IS NULL OR s.first_seen < $until)
  WITH s, u ORDER BY u.weight DESC, s.type, s.value LIMIT $cap
  RETURN 'USED_BY' AS kind, s.type AS n_type, s.value AS n_value
}
RETURN p.identity_id AS identity_id, kind, n_type, n_value

// Explorer: where a path may start or end for an identity: its most used member
// identifiers and the shared identifiers it uses (a path to an identity goes through one
// of them, plus the MEMBER or USED_BY hop).
// Parameters: $identity_id string, $cap integer (of each kind)
// Columns: kind (MEMBER or USED_BY), type, value
CALL () {
  MATCH (m:Identifier {identity_id: $identity_id})
  WITH m ORDER BY m.event_count DESC, m.type, m.value LIMIT $cap
  RETURN 'MEMBER' AS kind, m.type AS type, m.value AS value
  UNION ALL
  MATCH (s:Identifier)-[u:USED_BY]->(:Identity {identity_id: $identity_id})
  WITH s, u ORDER BY u.weight DESC, s.type, s.value LIMIT $cap
  RETURN 'USED_BY' AS kind, s.type AS type, s.value AS value
}
RETURN kind, type, value

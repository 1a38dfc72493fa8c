// Identity profile, step 4: the shared identifiers (hubs, boundary devices or phones)
// that one identity uses, each with how many identities use it.
// Parameters: $identity_id string
// Columns: type, value, weight (of its links into this identity), hub (bool),
//   identities (how many identities it is USED_BY). Heaviest first.
MATCH (i:Identifier)-[u:USED_BY]->(:Identity {identity_id: $identity_id})
RETURN i.type AS type,
       i.value AS value,
       u.weight AS weight,
       coalesce(i.hub, false) AS hub,
       COUNT { (i)-[:USED_BY]->(:Identity) } AS identities
ORDER BY weight DESC, type, value

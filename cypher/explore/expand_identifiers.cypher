// Explorer: one hop out of each identifier: its LINKED neighbours (read undirected) and
// REFERRED ones (both ways) with the relationship in the time window, its identity
// (MEMBER) and, for a shared identifier, the identities that use it (USED_BY). At most
// $cap of each kind per identifier (the caller asks one more than it keeps, to know
// whether it left some out): a hub cannot flood the answer.
// Parameters: $keys list of [type, value], $cap integer,
//   $since datetime or null (links last seen at or after), $until datetime or null
//   (links first seen strictly before)
// Columns: type, value (the identifier expanded), kind (LINKED, REFERRED, MEMBER,
//   USED_BY), outgoing (the relationship starts at the identifier expanded),
//   n_type, n_value (the neighbour identifier) or n_identity (the neighbour identity),
//   count, first_seen, last_seen (of the relationship; null where not relevant)
UNWIND $keys AS key
MATCH (i:Identifier {type: key[0], value: key[1]})
CALL (i) {
  MATCH (i)-[l:LINKED]-(n:Identifier)
  WHERE ($since IS NULL OR l.last_seen >= $since) AND ($until IS NULL OR l.first_seen < $until)
  WITH i, l, n ORDER BY l.count DESC, n.type, n.value LIMIT $cap
  RETURN 'LINKED' AS kind, startNode(l) = i AS outgoing, n.type AS n_type, n.value AS n_value,
         null AS n_identity, l.count AS count, l.first_seen AS first_seen,
         l.last_seen AS last_seen
  UNION ALL
  MATCH (i)-[r:REFERRED]-(n:Identifier)
  WHERE ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
  WITH i, r, n ORDER BY r.at, n.type, n.value LIMIT $cap
  RETURN 'REFERRED' AS kind, startNode(r) = i AS outgoing, n.type AS n_type,
         n.value AS n_value, null AS n_identity, null AS count, r.at AS first_seen,
         r.at AS last_seen
  UNION ALL
  MATCH (p:Identity {identity_id: i.identity_id})
  RETURN 'MEMBER' AS kind, true AS outgoing, null AS n_type, null AS n_value,
         p.identity_id AS n_identity, null AS count, null AS first_seen, null AS last_seen
  UNION ALL
  MATCH (i)-[u:USED_BY]->(p:Identity)
  WITH u, p ORDER BY u.weight DESC, p.identity_id LIMIT $cap
  RETURN 'USED_BY' AS kind, true AS outgoing, null AS n_type, null AS n_value,
         p.identity_id AS n_identity, null AS count, null AS first_seen, null AS last_seen
}
RETURN i.type AS type, i.value AS value, kind, outgoing, n_type, n_value, n_identity,
       count, first_seen, last_seen

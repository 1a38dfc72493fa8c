// @purpose Newest ring candidates. Rings are not modelled in the graph yet: this
//   approximates them by groups of identities sharing a device, phone or card through
//   USED_BY. Each shared identifier used by `min_identities` to `max_identities`
//   identities (more is a kiosk or staff hub, fewer a household) defines a group;
//   identifiers used by exactly the same identities are one group. Newest first (by the
//   group's earliest first_seen).
// @param min_identities int 3 [default] smallest group of identities
// @param max_identities int 50 [default] largest group of identities
// @column identities      how many identities the group holds
// @column identity_ids    the identities, sorted
// @column shared          the shared identifiers, as "type:value"
// @column first_seen      first time one of the shared identifiers was seen
// @column last_seen       latest time one of them was seen
// @column referrals       referrals between identifiers of the group's identities
MATCH (s:Identifier)-[:USED_BY]->(p:Identity)
WHERE s.type IN ['device', 'phone', 'card']
WITH s, p ORDER BY p.identity_id
WITH s, collect(p.identity_id) AS ids
WHERE size(ids) >= $min_identities AND size(ids) <= $max_identities
WITH ids, collect(s.type + ':' + s.value) AS shared, min(s.first_seen) AS first_seen,
     max(s.last_seen) AS last_seen
CALL (ids) {
  UNWIND ids AS id
  MATCH (a:Identifier {identity_id: id})-[r:REFERRED]->(b:Identifier)
  WHERE b.identity_id IN ids AND b.identity_id <> id
  RETURN count(r) AS referrals
}
RETURN size(ids) AS identities, ids AS identity_ids, shared, first_seen, last_seen, referrals
ORDER BY first_seen DESC, identities DESC

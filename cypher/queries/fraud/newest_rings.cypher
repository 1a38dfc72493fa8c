// @purpose Newest fraud rings, as fraud detection (`idgraph detect`, after each
//   clustering run) stored them: Ring nodes of `min_identities` to `max_identities`
//   member identities scoring at least `min_score`, newest first (by the members'
//   first event), with the shared identifiers two members or more use and the
//   referrals between members. How rings are formed and scored: graph/fraud/detect.py.
// @param min_identities int 2 [default] smallest ring (member identities)
// @param max_identities int 50 [default] largest ring
// @param min_score float 0.5 [default] lowest ring score (0.5: members flagged ring_member)
// @column ring_id         the ring's id (ring_ + 16 hex, stable while its members are)
// @column score           the ring's score in [0, 1]
// @column identities      how many identities the ring holds
// @column identity_ids    the member identities, sorted
// @column shared          shared identifiers used by two members or more, as "type:value"
// @column first_seen      the members' first event
// @column last_seen       the members' latest event
// @column referrals       referrals between identifiers of the ring's identities
// @column reasons         the signals behind the score, in words
MATCH (g:Ring)
WHERE g.size >= $min_identities AND g.size <= $max_identities AND g.score >= $min_score
MATCH (p:Identity)-[:IN_RING]->(g)
WITH g, p ORDER BY p.identity_id
WITH g, collect(p.identity_id) AS ids
CALL (g, ids) {
  MATCH (s:Identifier)-[:USED_BY]->(p:Identity)-[:IN_RING]->(g)
  WITH s, count(DISTINCT p) AS users
  WHERE users >= 2
  WITH s ORDER BY s.type, s.value
  RETURN collect(s.type + ':' + s.value) AS shared
}
CALL (ids) {
  UNWIND ids AS id
  MATCH (a:Identifier {identity_id: id})-[r:REFERRED]->(b:Identifier)
  WHERE b.identity_id IN ids AND b.identity_id <> id
  RETURN count(r) AS referrals
}
RETURN g.ring_id AS ring_id, g.score AS score, size(ids) AS identities, ids AS identity_ids,
       shared, g.first_seen AS first_seen, g.last_seen AS last_seen, referrals,
       g.reasons AS reasons
ORDER BY first_seen DESC, identities DESC, ring_id

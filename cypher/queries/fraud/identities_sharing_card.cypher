// @purpose Pairs of identities sharing at least one payment card (both USED_BY the same
//   card token), most shared cards first.
// @column identity_a   one identity (the smaller id)
// @column identity_b   the other identity
// @column cards        how many cards they share
// @column card_values  the shared card tokens (at most 10)
// @column last_seen    latest time one of those cards was seen
MATCH (a:Identity)<-[:USED_BY]-(c:Identifier {type: 'card'})-[:USED_BY]->(b:Identity)
WHERE a.identity_id < b.identity_id
WITH a, b, collect(DISTINCT c) AS shared
RETURN a.identity_id AS identity_a, b.identity_id AS identity_b, size(shared) AS cards,
       [c IN shared | c.value][..10] AS card_values,
       reduce(t = null, c IN shared |
         CASE WHEN t IS NULL OR c.last_seen > t THEN c.last_seen ELSE t END) AS last_seen
ORDER BY cards DESC, last_seen DESC, identity_a, identity_b

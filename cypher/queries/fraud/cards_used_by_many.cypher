// @purpose Payment cards used by several identities (through USED_BY: a card seen with
//   several people becomes shared), most identities first.
// @param min_identities int 2 [default] list cards used by at least this many identities
// @column card         the card token (normalised value)
// @column identities   how many identities use it
// @column identity_ids those identities, heaviest use first (at most 50)
// @column events       events that saw the card
// @column first_seen   first time the card was seen
// @column last_seen    latest time the card was seen
MATCH (c:Identifier {type: 'card'})-[u:USED_BY]->(p:Identity)
WITH c, u, p ORDER BY u.weight DESC, p.identity_id
WITH c, count(p) AS identities, collect(p.identity_id)[..50] AS identity_ids
WHERE identities >= $min_identities
RETURN c.value AS card, identities, identity_ids, c.event_count AS events,
       c.first_seen AS first_seen, c.last_seen AS last_seen
ORDER BY identities DESC, events DESC, card

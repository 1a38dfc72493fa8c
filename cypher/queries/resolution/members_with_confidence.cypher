// @purpose The members of an identity with their membership confidence, least sure
//   first, and how much of each member's link weight stays inside the identity: where
//   to look when an identity may have swallowed someone else.
// @param identity_id string "id_0123456789abcdef0123"  the identity (public id)
// @column type            the identifier type
// @column value           the normalised value
// @column confidence      membership confidence in [0, 1] (low: doubtful member)
// @column links_inside    LINKED neighbours in the same identity
// @column links_outside   LINKED neighbours elsewhere (other identities, shared, unassigned)
// @column weight_inside   sum of link weights to the same identity
// @column weight_outside  sum of link weights to everything else
MATCH (i:Identifier {identity_id: $identity_id})
OPTIONAL MATCH (i)-[l:LINKED]-(n:Identifier)
WITH i,
     sum(CASE WHEN n.identity_id = i.identity_id THEN 1 ELSE 0 END) AS links_inside,
     sum(CASE WHEN n IS NOT NULL AND coalesce(n.identity_id, '') <> i.identity_id
              THEN 1 ELSE 0 END) AS links_outside,
     sum(CASE WHEN n.identity_id = i.identity_id THEN coalesce(l.weight, 0.0) ELSE 0.0 END)
       AS weight_inside,
     sum(CASE WHEN n IS NOT NULL AND coalesce(n.identity_id, '') <> i.identity_id
              THEN coalesce(l.weight, 0.0) ELSE 0.0 END) AS weight_outside
RETURN i.type AS type, i.value AS value, i.confidence AS confidence,
       links_inside, links_outside, weight_inside, weight_outside
ORDER BY confidence, type, value

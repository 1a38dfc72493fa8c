// @purpose The referral cascade of a person: the identities they referred, those
//   referred in turn, and one level more (direct + 2 levels), with referrals lifted to
//   identities. Time-respecting: a referral made by an identity counts only if it came
//   strictly after the referral that brought that identity into the cascade; each
//   identity appears once, at its earliest entry. (`GET /v1/identities/{id}/influenced`
//   goes deeper.)
// @param identity_id string "id_0123456789abcdef0123"  the root identity (public id)
// @column depth        referrals between the root and this identity (1: referred directly)
// @column identity_id  the referred identity
// @column referred_by  the identity that brought it into the cascade
// @column at           when that referral happened (earliest one)
MATCH (a:Identifier {identity_id: $identity_id})-[r:REFERRED]->(b:Identifier)
WHERE b.identity_id IS NOT NULL AND b.identity_id <> $identity_id AND r.at IS NOT NULL
WITH b.identity_id AS child, min(r.at) AS at
WITH collect({id: child, parent: $identity_id, at: at, depth: 1}) AS level1
CALL (level1) {
  UNWIND level1 AS up
  MATCH (a:Identifier {identity_id: up.id})-[r:REFERRED]->(b:Identifier)
  WHERE b.identity_id IS NOT NULL AND r.at > up.at
    AND NOT b.identity_id IN [x IN level1 | x.id] + [$identity_id]
  WITH b.identity_id AS child, up.id AS parent, min(r.at) AS at
  ORDER BY at, parent
  WITH child, collect({parent: parent, at: at})[0] AS first
  RETURN collect({id: child, parent: first.parent, at: first.at, depth: 2}) AS level2
}
CALL (level1, level2) {
  UNWIND level2 AS up
  MATCH (a:Identifier {identity_id: up.id})-[r:REFERRED]->(b:Identifier)
  WHERE b.identity_id IS NOT NULL AND r.at > up.at
    AND NOT b.identity_id IN [x IN level1 + level2 | x.id] + [$identity_id]
  WITH b.identity_id AS child, up.id AS parent, min(r.at) AS at
  ORDER BY at, parent
  WITH child, collect({parent: parent, at: at})[0] AS first
  RETURN collect({id: child, parent: first.parent, at: first.at, depth: 3}) AS level3
}
UNWIND level1 + level2 + level3 AS row
RETURN row.depth AS depth, row.id AS identity_id, row.parent AS referred_by, row.at AS at
ORDER BY depth, at, identity_id

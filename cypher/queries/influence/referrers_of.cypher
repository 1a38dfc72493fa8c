// @purpose Who referred a person: the identities whose identifiers referred one of its
//   identifiers, earliest first, with the events behind each.
// @param identity_id string "id_0123456789abcdef0123"  the referred identity (public id)
// @column referrer_id  the referring identity (null: a referrer identifier with no identity)
// @column referrer     the referring identifier, as "type:value"
// @column at           when the earliest such referral happened
// @column referrals    distinct referral events
MATCH (a:Identifier)-[r:REFERRED]->(b:Identifier {identity_id: $identity_id})
WHERE coalesce(a.identity_id, '') <> $identity_id
RETURN a.identity_id AS referrer_id, a.type + ':' + a.value AS referrer, min(r.at) AS at,
       count(DISTINCT [r.source, r.event_id]) AS referrals
ORDER BY at, referrer

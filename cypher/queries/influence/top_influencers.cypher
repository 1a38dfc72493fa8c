// @purpose Top influencers in a period: identities that referred the most distinct
//   other identities with referrals in [since, until), referrals lifted to identities
//   (self-referrals and identifiers without an identity left out).
// @param since datetime "2026-03-01T00:00:00Z"  first instant included
// @param until datetime "2026-06-01T00:00:00Z"  first instant excluded
// @param top int 20 [default] how many identities
// @column identity_id  the referring identity
// @column referred     distinct identities it referred in the period
// @column referrals    distinct referral events in the period
// @column first_at     its first referral in the period
// @column last_at      its latest referral in the period
MATCH (a:Identifier)-[r:REFERRED]->(b:Identifier)
WHERE r.at >= $since AND r.at < $until
  AND a.identity_id IS NOT NULL AND b.identity_id IS NOT NULL
  AND a.identity_id <> b.identity_id
WITH a.identity_id AS identity_id, count(DISTINCT b.identity_id) AS referred,
     count(DISTINCT [r.source, r.event_id]) AS referrals, min(r.at) AS first_at,
     max(r.at) AS last_at
RETURN identity_id, referred, referrals, first_at, last_at
ORDER BY referred DESC, referrals DESC, identity_id
LIMIT $top

// Influence ranking: every referral lifted to identities, within a time window: one row
// per (referrer identity, referred identity) pair at the pair's earliest referral in the
// window. Self-referrals and identifiers without an identity are left out.
// Parameters: $since datetime or null (referrals at or after), $until datetime or null
//   (referrals strictly before)
// Columns: source, target (identity ids), at (earliest referral in the window),
//   referrals (how many distinct events in the window)
MATCH (a:Identifier)-[r:REFERRED]->(b:Identifier)
WHERE a.identity_id IS NOT NULL AND b.identity_id IS NOT NULL
  AND a.identity_id <> b.identity_id AND r.at IS NOT NULL
  AND ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
RETURN a.identity_id AS source, b.identity_id AS target, min(r.at) AS at,
       count(DISTINCT [r.source, r.event_id]) AS referrals

// Influence ranking: whether at least one referral between two different identities
// lies in the time window (a GDS projection of nothing would fail).
// Parameters: $since datetime or null, $until datetime or null (as referrals_all)
// Columns: found (boolean)
RETURN EXISTS {
  MATCH (a:Identifier)-[r:REFERRED]->(b:Identifier)
  WHERE a.identity_id IS NOT NULL AND b.identity_id IS NOT NULL
    AND a.identity_id <> b.identity_id AND r.at IS NOT NULL
    AND ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
} AS found

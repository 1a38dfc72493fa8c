// Influence ranking (GDS): project the referral graph lifted to identities, one
// relationship per pair, pointing from the REFERRED identity to its REFERRER, so that
// PageRank and ArticleRank credit flows up to whoever brought people in.
// Parameters: $graph_name string, $since datetime or null, $until datetime or null
//   (referrals in [since, until), as referrals_all)
MATCH (a:Identifier)-[r:REFERRED]->(b:Identifier)
WHERE a.identity_id IS NOT NULL AND b.identity_id IS NOT NULL
  AND a.identity_id <> b.identity_id AND r.at IS NOT NULL
  AND ($since IS NULL OR r.at >= $since) AND ($until IS NULL OR r.at < $until)
WITH DISTINCT a.identity_id AS referrer, b.identity_id AS referred
MATCH (credited:Identity {identity_id: referrer})
MATCH (crediting:Identity {identity_id: referred})
RETURN gds.graph.project($graph_name, crediting, credited, {}, {}) AS graph

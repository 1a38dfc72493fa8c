// Influence ranking (GDS): ArticleRank of the projected identity graph (see
// gds_project), best first: PageRank where what a node passes on is divided by its
// out-degree plus the graph's average out-degree, so that referrals from people who
// were referred by few others weigh less.
// Parameters: $graph_name string, $damping float, $max_iterations integer, $limit integer
// Columns: identity_id, score
CALL gds.articleRank.stream($graph_name, {dampingFactor: $damping, maxIterations: $max_iterations})
YIELD nodeId, score
WITH gds.util.asNode(nodeId).identity_id AS identity_id, score
RETURN identity_id, score
ORDER BY score DESC, identity_id
LIMIT $limit

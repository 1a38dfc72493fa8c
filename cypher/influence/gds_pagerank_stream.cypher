// Influence ranking (GDS): PageRank of the projected identity graph (see gds_project),
// best first. Scores follow GDS: (1 - d) + d * sum of the referred's score / their
// out-degree; not normalised.
// Parameters: $graph_name string, $damping float, $max_iterations integer, $limit integer
// Columns: identity_id, score
CALL gds.pageRank.stream($graph_name, {dampingFactor: $damping, maxIterations: $max_iterations})
YIELD nodeId, score
WITH gds.util.asNode(nodeId).identity_id AS identity_id, score
RETURN identity_id, score
ORDER BY score DESC, identity_id
LIMIT $limit

// Detection (GDS back end): weakly connected components of the projected identity
// graph, streamed as identity ids.
// Parameters: $graph_name string, name of the projection made by gds_project
CALL gds.wcc.stream($graph_name)
YIELD nodeId, componentId
RETURN gds.util.asNode(nodeId).identity_id AS identity_id, componentId AS component

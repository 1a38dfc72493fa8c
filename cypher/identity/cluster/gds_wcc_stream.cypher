// Clustering (GDS back end): weakly connected components of the projected trusted
// link graph, streamed as node ids (nothing is written: the run needs them in memory).
// Parameters: $graph_name string, name of the projection made by gds_project
CALL gds.wcc.stream($graph_name)
YIELD nodeId, componentId
RETURN elementId(gds.util.asNode(nodeId)) AS id, componentId AS component

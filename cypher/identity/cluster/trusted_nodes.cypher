// Clustering (in-process back end, full run): the nodes of the trusted link graph,
// every identifier that is not a hub (what gds_project projects), streamed.
// Parameters: none
MATCH (a:Identifier)
WHERE NOT coalesce(a.hub, false)
RETURN elementId(a) AS id

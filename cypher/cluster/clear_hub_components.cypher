// Clustering (GDS back end): hubs are not projected, so no component is written on
// them; clear what an earlier run left.
MATCH (i:Identifier)
WHERE i.hub AND i.component IS NOT NULL
REMOVE i.component

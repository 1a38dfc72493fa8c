// Clustering (incremental run): the neighbours of the given identifiers and their
// identity, to grow the region a run must recompute. Hubs are not crossed (they are
// shared, not glue) unless $through_hubs (a new hub: what it glued must be recomputed),
// and links lighter than $min_weight are not either; a link not yet weighted counts as
// heavy.
// Parameters: $ids list of identifier node ids, $min_weight float, $through_hubs bool
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
WITH i WHERE $through_hubs OR NOT coalesce(i.hub, false)
MATCH (i)-[r:LINKED]-(n:Identifier)
WHERE NOT coalesce(n.hub, false) AND coalesce(r.weight, 1.0) >= $min_weight
RETURN DISTINCT elementId(n) AS id, n.identity_id AS identity_id

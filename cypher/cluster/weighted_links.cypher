// Clustering step 3: every co-occurrence link with its weight (from link_weights).
MATCH (a:Identifier)-[r:LINKED]->(b:Identifier)
RETURN elementId(a) AS a, elementId(b) AS b, coalesce(r.weight, 0.0) AS weight

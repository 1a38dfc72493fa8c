// Clustering (networkx back end): every identifier's node id, lonely ones included.
MATCH (i:Identifier)
RETURN elementId(i) AS id

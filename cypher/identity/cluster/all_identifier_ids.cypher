// Clustering (full run): every identifier's node id (streamed).
MATCH (i:Identifier)
RETURN elementId(i) AS id

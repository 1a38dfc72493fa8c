// Evaluation: every co-occurrence link as a pair of "type:value" keys (the naive
// connected-components baseline is computed over these).
MATCH (a:Identifier)-[:LINKED]->(b:Identifier)
RETURN a.type + ':' + a.value AS a, b.type + ':' + b.value AS b

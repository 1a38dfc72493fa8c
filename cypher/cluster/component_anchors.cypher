// Clustering: one row per connected component, with its size and its anchor (the
// smallest "type:value" of its members), from which the identity id is derived.
MATCH (i:Identifier)
WHERE i.component IS NOT NULL
RETURN i.component AS component, min(i.type + ':' + i.value) AS anchor, count(*) AS size

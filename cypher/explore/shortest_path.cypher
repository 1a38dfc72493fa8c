// Explorer: the shortest chain of co-occurrence links (LINKED, read undirected) from any
// of the start identifiers to any of the end ones, at most 10 links (the caller keeps it
// only within its own max_hops, and runs it with a time-out).
// Parameters: $from_keys, $to_keys: lists of [type, value] (disjoint)
// Columns: keys (the path's identifiers as [type, value]), links (per hop: count,
//   first_seen, last_seen, and forward: whether the stored link points along the path)
UNWIND $from_keys AS fk
MATCH (a:Identifier {type: fk[0], value: fk[1]})
UNWIND $to_keys AS tk
MATCH (b:Identifier {type: tk[0], value: tk[1]})
WITH a, b WHERE a <> b
MATCH p = shortestPath((a)-[:LINKED*..10]-(b))
WITH p ORDER BY length(p) LIMIT 1
WITH p, nodes(p) AS ns
RETURN [n IN ns | [n.type, n.value]] AS keys,
       [k IN range(0, length(p) - 1) |
         {count: relationships(p)[k].count, first_seen: relationships(p)[k].first_seen,
          last_seen: relationships(p)[k].last_seen,
          forward: startNode(relationships(p)[k]) = ns[k]}] AS links

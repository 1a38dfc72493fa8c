// @purpose How two identifiers are connected: the shortest path over co-occurrence
//   links (LINKED, read undirected), at most 6 hops, with what each hop rests on.
// @param from_type string "email"  type of the first identifier
// @param from_value string "jean.dupont@example.fr"  normalised value of the first identifier
// @param to_type string "phone"  type of the second identifier
// @param to_value string "+33612345678"  normalised value of the second identifier
// @column hops         number of links on the path
// @column identifiers  the identifiers along the path, as "type:value", first to last
// @column identities   the identity id of each identifier on the path (null: shared/none)
// @column counts       for each link, how many events saw both ends
// @column channels     for each link, the channels of those events
MATCH (a:Identifier {type: $from_type, value: $from_value})
MATCH (b:Identifier {type: $to_type, value: $to_value})
WHERE a <> b
MATCH p = shortestPath((a)-[:LINKED*..6]-(b))
RETURN length(p) AS hops,
       [n IN nodes(p) | n.type + ':' + n.value] AS identifiers,
       [n IN nodes(p) | n.identity_id] AS identities,
       [r IN relationships(p) | r.count] AS counts,
       [r IN relationships(p) | r.channels] AS channels

// @purpose Links with a single sighting: co-occurrence links seen by one event only,
//   by pair of identifier types, with their share of all links of that pair. Identities
//   held together by single sightings are fragile.
// @column from_type  type of one end (the smaller one alphabetically)
// @column to_type    type of the other end
// @column links      links between those types
// @column single     of those, links seen by exactly one event (count = 1)
// @column share      single / links
MATCH (a:Identifier)-[l:LINKED]->(b:Identifier)
WITH CASE WHEN a.type <= b.type THEN a.type ELSE b.type END AS from_type,
     CASE WHEN a.type <= b.type THEN b.type ELSE a.type END AS to_type, l
WITH from_type, to_type, count(l) AS links,
     sum(CASE WHEN l.count = 1 THEN 1 ELSE 0 END) AS single
RETURN from_type, to_type, links, single, toFloat(single) / links AS share
ORDER BY single DESC, from_type, to_type

// Clustering step 2: the weight of every co-occurrence link, in [0, 1]:
//   strength(type a) * strength(type b)       how much each type says about one person
//   * (1 - exp(-count / 2))                   more sightings, more evidence (saturating)
//   * 0.5 ^ (age / half-life)                 age: from its last sighting to the newest link's
// Parameters:
//   $strength         map type -> float in [0, 1]
//   $default_strength float, for types not in $strength
//   $half_life_days   float
// Run in an auto-commit transaction (it commits every 10,000 links).
MATCH ()-[l:LINKED]->()
WITH max(l.last_seen) AS newest
MATCH (a:Identifier)-[r:LINKED]->(b:Identifier)
CALL (a, r, b, newest) {
  SET r.weight =
    coalesce($strength[a.type], $default_strength) * coalesce($strength[b.type], $default_strength)
    * (1.0 - exp(-toFloat(r.count) / 2.0))
    * 0.5 ^ (toFloat(duration.inSeconds(r.last_seen, newest).seconds) / ($half_life_days * 86400.0))
} IN TRANSACTIONS OF 10000 ROWS

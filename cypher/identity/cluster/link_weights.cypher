// Clustering step 2: the weight of the co-occurrence links of the given identifiers,
// in [0, 1]:
//   strength(type a) * strength(type b)       how much each type says about one person
//   * (1 - exp(-count / 2))                   more sightings, more evidence (saturating)
//   * 0.5 ^ (age / half-life)                 only when $half_life_days is set (off by
//                                             default: age alone never dissolves a link)
// Parameters:
//   $ids              list of identifier node ids (their links in both directions)
//   $strength         map type -> float in [0, 1]
//   $default_strength float, for types not in $strength
//   $half_life_days   float, or null: no decay
//   $newest           epoch ms, the newest link's last sighting (ages are relative to it,
//                     so that re-running on old data gives the same weights)
UNWIND $ids AS id
MATCH (a) WHERE elementId(a) = id
MATCH (a)-[r:LINKED]-(b)
SET r.weight =
  coalesce($strength[a.type], $default_strength) * coalesce($strength[b.type], $default_strength)
  * (1.0 - exp(-toFloat(r.count) / 2.0))
  * CASE WHEN $half_life_days IS NULL THEN 1.0
         ELSE 0.5 ^ (toFloat($newest - r.last_seen.epochMillis) / ($half_life_days * 86400000.0))
    END

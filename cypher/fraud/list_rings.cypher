// Rings API: rings at or above $min_score whose activity overlaps [$since, $until),
// highest score first, a page of them, and how many match in all.
// Parameters: $min_score float; $since, $until int epoch ms or null; $limit, $offset int
// Returns: total, rings (list of {ring_id, score, size, reasons, first_seen, last_seen})
MATCH (g:Ring)
WHERE g.score >= $min_score
  AND ($since IS NULL OR g.last_seen.epochMillis >= $since)
  AND ($until IS NULL OR g.first_seen.epochMillis < $until)
WITH g ORDER BY g.score DESC, g.ring_id
WITH collect(g) AS matched
RETURN size(matched) AS total,
       [g IN matched[$offset..($offset + $limit)] | {
          ring_id: g.ring_id, score: g.score, size: g.size, reasons: g.reasons,
          first_seen: g.first_seen.epochMillis, last_seen: g.last_seen.epochMillis}] AS rings

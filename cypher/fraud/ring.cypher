// Rings API: one ring and its members (identity, risk, bot score, identifiers held,
// first and last sighting of its identifiers).
// Parameters: $ring_id string
// Returns: ring_id, score, size, reasons, signals (JSON string), first_seen, last_seen
//          (epoch ms), members (list of maps); no row for an unknown ring
MATCH (g:Ring {ring_id: $ring_id})
OPTIONAL MATCH (p:Identity)-[:IN_RING]->(g)
CALL (p) {
  OPTIONAL MATCH (i:Identifier {identity_id: p.identity_id})
  RETURN count(i) AS identifiers, min(i.first_seen).epochMillis AS first_seen,
         max(i.last_seen).epochMillis AS last_seen
}
WITH g, p, identifiers, first_seen, last_seen ORDER BY p.identity_id
RETURN g.ring_id AS ring_id, g.score AS score, g.size AS size, g.reasons AS reasons,
       g.signals AS signals, g.first_seen.epochMillis AS first_seen,
       g.last_seen.epochMillis AS last_seen,
       [m IN collect(CASE WHEN p IS NULL THEN null ELSE {
          identity_id: p.identity_id, risk: p.risk, bot_score: p.bot_score,
          identifiers: identifiers, first_seen: first_seen, last_seen: last_seen} END)
        WHERE m IS NOT NULL] AS members

// Detection write 1: create or refresh the rings of this run.
// Parameters: $detected_at int (epoch ms);
//   $rings list of {ring_id, score, size, reasons, signals (JSON string),
//                   first_seen, last_seen (epoch ms or null)}
UNWIND $rings AS r
MERGE (g:Ring {ring_id: r.ring_id})
SET g.score = r.score, g.size = r.size, g.reasons = r.reasons, g.signals = r.signals,
    g.first_seen = CASE WHEN r.first_seen IS NULL THEN null
                        ELSE datetime({epochMillis: r.first_seen}) END,
    g.last_seen = CASE WHEN r.last_seen IS NULL THEN null
                       ELSE datetime({epochMillis: r.last_seen}) END,
    g.detected_at = datetime({epochMillis: $detected_at})

// Detection write 5: ring, bot, model and combined risk of each scored identity, and its
// ring membership. Null values remove the property (not scored for that part).
// Parameters: $rows list of {identity_id, ring_id, ring_score, ring_reasons, bot_score,
//             bot_reasons, risk, risk_flags, risk_reasons, risk_signals (JSON text: a list
//             of {signal, value, share}), risk_model (model id)}
UNWIND $rows AS r
MATCH (p:Identity {identity_id: r.identity_id})
SET p.ring_id = r.ring_id, p.ring_score = r.ring_score, p.ring_reasons = r.ring_reasons,
    p.bot_score = r.bot_score, p.bot_reasons = r.bot_reasons, p.risk = r.risk,
    p.risk_flags = r.risk_flags, p.risk_reasons = r.risk_reasons,
    p.risk_signals = r.risk_signals, p.risk_model = r.risk_model
WITH p, r
WHERE r.ring_id IS NOT NULL
MATCH (g:Ring {ring_id: r.ring_id})
MERGE (p)-[:IN_RING]->(g)

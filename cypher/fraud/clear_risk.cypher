// Detection write 4: identities scored by an earlier run and not by this one lose
// their ring and risk properties.
// Parameters: $keep list of identity ids this run scores
MATCH (p:Identity)
WHERE p.risk IS NOT NULL AND NOT p.identity_id IN $keep
REMOVE p.ring_id, p.ring_score, p.ring_reasons, p.bot_score, p.bot_reasons, p.risk,
       p.risk_flags, p.risk_reasons

// Detection write 4: identities that are no longer active (retired by a merge or a
// split) lose their ring and risk properties; every active identity is scored afresh.
// Parameters: none
MATCH (p:Identity)
WHERE p.risk IS NOT NULL AND coalesce(p.status, '') <> 'active'
REMOVE p.ring_id, p.ring_score, p.ring_reasons, p.bot_score, p.bot_reasons, p.risk,
       p.risk_flags, p.risk_reasons, p.risk_signals, p.risk_model

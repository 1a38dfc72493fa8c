// Evaluation: every identity with a risk flag, and its flags.
// Parameters: none
// Returns: identity_id, flags (list of strings)
MATCH (p:Identity)
WHERE p.risk IS NOT NULL AND size(coalesce(p.risk_flags, [])) > 0
RETURN p.identity_id AS identity_id, p.risk_flags AS flags

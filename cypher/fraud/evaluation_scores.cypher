// Evaluation on labelled data: the stored risk and flags of the identities of the given
// accounts (after a detection run).
// Parameters: $values list of account values (normalised)
// Columns: value, risk (null: not scored), flags (list of strings)
UNWIND $values AS v
MATCH (a:Identifier {type: 'account', value: v})
OPTIONAL MATCH (p:Identity {identity_id: a.identity_id})
RETURN v AS value, p.risk AS risk, coalesce(p.risk_flags, []) AS flags

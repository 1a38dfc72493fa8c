// Risk signals 3: the identities of the given account identifiers (normalised values,
// the counterparts of transfers). Values travel as parameters only.
// Parameters: $values list of account values (normalised)
// Columns: value, identity_id (null: the account belongs to no identity)
UNWIND $values AS v
MATCH (i:Identifier {type: 'account', value: v})
RETURN v AS value, i.identity_id AS identity_id

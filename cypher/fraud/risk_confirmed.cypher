// Risk labels: the identities confirmed as fraud by the data, those whose identifiers
// an event of canonical type `chargeback` names as its subject.
// Parameters: none
// Columns: identity_id
MATCH (e:Event {type: 'chargeback'})-[o:OBSERVED]->(i:Identifier)
WHERE o.role IS NULL AND i.identity_id IS NOT NULL
RETURN DISTINCT i.identity_id AS identity_id

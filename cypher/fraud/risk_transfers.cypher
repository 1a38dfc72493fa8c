// Risk signals 2: every money transfer and the identity that sent it (the identity of
// the event's subject identifiers). The counterpart and the amount are in the event's
// attributes (canonical names `to_account`, `amount`): the caller reads them.
// Parameters: none
// Columns: sender (identity id), at (epoch ms), attributes (JSON text or null)
MATCH (e:Event {type: 'transfer'})-[o:OBSERVED]->(i:Identifier)
WHERE o.role IS NULL AND i.identity_id IS NOT NULL
WITH DISTINCT e, i.identity_id AS sender
RETURN sender, e.timestamp.epochMillis AS at, e.attributes AS attributes

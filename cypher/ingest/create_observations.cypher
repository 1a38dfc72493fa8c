// Ingest step 3: tie each new event to the identifiers it saw.
// Parameters:
//   $observations list of {source, event_id, type, value, role}
//     role: "subject" (an identifier of the event's person) or "referrer"
UNWIND $observations AS o
MATCH (ev:Event {source: o.source, event_id: o.event_id})
MATCH (i:Identifier {type: o.type, value: o.value})
CREATE (ev)-[:OBSERVED {role: o.role}]->(i)

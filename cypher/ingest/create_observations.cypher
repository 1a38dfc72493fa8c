// Ingest step 3: tie each new event to the identifiers it saw.
// Parameters:
//   $observations list of {e (event node id), i (identifier node id), role}
//     role: "subject" (an identifier of the event's person) or "referrer"
UNWIND $observations AS o
MATCH (ev) WHERE elementId(ev) = o.e
MATCH (i) WHERE elementId(i) = o.i
CREATE (ev)-[:OBSERVED {role: o.role}]->(i)

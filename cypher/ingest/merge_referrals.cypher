// Ingest step 5: referral (influence) links, from each referrer identifier to each
// identifier of the referred event's person, at the event's time.
// Parameters:
//   $referrals list of {from_type, from_value, to_type, to_value, at (datetime), source, event_id}
UNWIND $referrals AS r
MATCH (a:Identifier {type: r.from_type, value: r.from_value})
MATCH (b:Identifier {type: r.to_type, value: r.to_value})
MERGE (a)-[ref:REFERRED {source: r.source, event_id: r.event_id}]->(b)
  ON CREATE SET ref.at = r.at

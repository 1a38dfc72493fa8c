// Ingest step 5: referral (influence) links, from each referrer identifier to each
// identifier of the referred event's person, at the event's time.
// Parameters:
//   $referrals list of {a (referrer node id), b (referred node id), at (epoch ms), source, event_id}
UNWIND $referrals AS r
MATCH (a) WHERE elementId(a) = r.a
MATCH (b) WHERE elementId(b) = r.b
MERGE (a)-[ref:REFERRED {source: r.source, event_id: r.event_id}]->(b)
  ON CREATE SET ref.at = datetime({epochMillis: r.at})

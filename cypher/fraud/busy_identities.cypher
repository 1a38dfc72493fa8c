// Detection step 2: active identities seen in at least $min_events events (as the
// event's person): the only ones with enough activity to be scored as bots.
// Parameters: $min_events int
// Returns: identity_id
MATCH (p:Identity {status: 'active'})
CALL (p) {
  MATCH (:Identifier {identity_id: p.identity_id})<-[o:OBSERVED]-(e:Event)
  WHERE coalesce(o.role, 'subject') = 'subject'
  RETURN count(DISTINCT e) AS events
}
WITH p, events
WHERE events >= $min_events
RETURN p.identity_id AS identity_id

// Evaluation on labelled data: forget the chargeback events a fold fed (their source is
// the evaluation's own), so that the graph is as it was: the events, their
// observations, and their count on the identifiers they named.
// Parameters: $source the evaluation's source name
// Columns: forgotten (how many events)
MATCH (e:Event {source: $source})
CALL (e) {
  MATCH (e)-[:OBSERVED]->(i:Identifier)
  SET i.event_count = i.event_count - 1
}
DETACH DELETE e
RETURN count(*) AS forgotten

// Risk scoring: every active identity (each is scored) and the newest clustering run,
// what a fitted model's data version is made of.
// Parameters: none
// Columns: identities (list of identity ids), runs (the newest clustering run id, as a
//          list of at most one), events (how many events the graph holds)
RETURN COLLECT { MATCH (p:Identity {status: 'active'}) RETURN p.identity_id } AS identities,
       COLLECT { MATCH (v:ClusteringRun) RETURN v.run AS run ORDER BY run DESC LIMIT 1 } AS runs,
       COUNT { (:Event) } AS events

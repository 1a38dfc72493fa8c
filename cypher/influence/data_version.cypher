// Influence ranking cache: what the rankings depend on, cheaply (count store and one
// small node): the number of referrals and identities, and the last clustering run.
// Referrals are only ever added (ingest, one transaction with the identities it
// attaches); identifiers change identity by clustering runs, each of which records
// itself last (identity/cluster/record_run) or by ingest attaching new ones.
// Parameters: none
// Columns: referrals, identities (integers), runs (list of run ids)
RETURN COUNT { ()-[:REFERRED]->() } AS referrals,
       COUNT { (:Identity) } AS identities,
       COLLECT { MATCH (v:ClusteringRun) RETURN v.run AS run ORDER BY run } AS runs

// Clustering: the last run that wrote identities, once all its writes are done: the
// data version the influence rankings are cached by changes with it (see
// influence/data_version). One node; a run id is unique, so a reset graph never
// repeats an old version.
// Parameters: $run string, id of this run
MERGE (v:ClusteringRun {name: 'last'})
SET v.run = $run, v.finished_at = datetime()

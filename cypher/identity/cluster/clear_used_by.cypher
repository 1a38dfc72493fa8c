// Clustering step 6: drop the USED_BY links a run rewrites: those from the given
// identifiers and those to the given identities.
// Parameters: $ids list of identifier node ids, $identity_ids list of strings
CALL () {
  UNWIND $ids AS id
  MATCH (i) WHERE elementId(i) = id
  MATCH (i)-[u:USED_BY]->()
  DELETE u
}
CALL () {
  UNWIND $identity_ids AS pid
  MATCH (:Identifier)-[u:USED_BY]->(:Identity {identity_id: pid})
  DELETE u
}

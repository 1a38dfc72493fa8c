// Clustering: create or refresh an identity per component and stamp its members.
// Parameters:
//   $run  string, id of this clustering run (identities not refreshed by it are removed)
//   $rows list of {component (integer), identity_id (string), size (integer)}
UNWIND $rows AS r
MERGE (p:Identity {identity_id: r.identity_id})
  ON CREATE SET p.created_at = datetime()
SET p.size = r.size, p.run = $run, p.updated_at = datetime()
WITH p, r
MATCH (i:Identifier {component: r.component})
SET i.identity_id = r.identity_id

// Explorer: the identities with these ids, with their risk (written by fraud detection;
// null when not scored).
// Parameters: $ids list of identity ids
// Columns: identity_id, status, size, risk, merged_into
UNWIND $ids AS id
MATCH (p:Identity {identity_id: id})
RETURN p.identity_id AS identity_id, p.status AS status, p.size AS size,
       p.risk AS risk, p.merged_into AS merged_into

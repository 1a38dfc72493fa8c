// Detection step 4: who referred each of the given identities: the referrer's identity,
// or for a shared referrer identifier an opaque id of it.
// Parameters: $ids list of identity ids
// Returns: identity_id, referrers (list of strings)
UNWIND $ids AS id
MATCH (:Identifier {identity_id: id})<-[:REFERRED]-(a:Identifier)
WITH id, coalesce(a.identity_id, 'idf:' + elementId(a)) AS referrer
WHERE referrer <> id
RETURN id AS identity_id, collect(DISTINCT referrer) AS referrers

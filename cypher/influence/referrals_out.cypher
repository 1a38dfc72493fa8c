// Influence: the referrals made by the given identities, lifted to identities: one row
// per (referrer identity, referred identity) pair, at the pair's earliest referral.
// Self-referrals and identifiers without an identity (shared ones) are left out.
// Parameters: $identity_ids list of strings (the referrers)
// Columns: source (referrer identity id), target (referred identity id), at (earliest
//   referral between them), events (list of {source, event_id} of the referrals at `at`,
//   at most 10), referrals (how many distinct events referred target from source).
UNWIND $identity_ids AS source
MATCH (:Identifier {identity_id: source})-[r:REFERRED]->(b:Identifier)
WHERE b.identity_id IS NOT NULL AND b.identity_id <> source AND r.at IS NOT NULL
WITH DISTINCT source, b.identity_id AS target, r.at AS at, r.source AS src, r.event_id AS event_id
ORDER BY at, src, event_id
WITH source, target, collect({at: at, source: src, event_id: event_id}) AS refs
RETURN source, target, refs[0].at AS at,
       [x IN refs WHERE x.at = refs[0].at | {source: x.source, event_id: x.event_id}][..10]
         AS events,
       size(refs) AS referrals

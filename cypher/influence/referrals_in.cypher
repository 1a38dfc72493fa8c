// Influence: the referrals that named the given identities as referred, lifted to
// identities: one row per (referrer identity, referred identity) pair, at the pair's
// earliest referral. Self-referrals and identifiers without an identity are left out.
// Parameters: $identity_ids list of strings (the referred)
// Columns: source (referrer identity id), target (referred identity id), at (earliest
//   referral between them), events (list of {source, event_id} of the referrals at `at`,
//   at most 10), referrals (how many distinct events referred target from source).
UNWIND $identity_ids AS target
MATCH (a:Identifier)-[r:REFERRED]->(:Identifier {identity_id: target})
WHERE a.identity_id IS NOT NULL AND a.identity_id <> target AND r.at IS NOT NULL
WITH DISTINCT a.identity_id AS source, target, r.at AS at, r.source AS src, r.event_id AS event_id
ORDER BY at, src, event_id
WITH source, target, collect({at: at, source: src, event_id: event_id}) AS refs
RETURN source, target, refs[0].at AS at,
       [x IN refs WHERE x.at = refs[0].at | {source: x.source, event_id: x.event_id}][..10]
         AS events,
       size(refs) AS referrals

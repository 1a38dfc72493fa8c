// Clustering step 6: each identifier's identity (null for shared ones), membership
// confidence, whether it is shared by several identities, its earlier owners when it
// was handed over (a recycled phone number, a resold device) and what the tie rules
// decided about it (graph/identity/ties.py), the evidence resolve shows.
// Parameters: $rows list of {id (node id), identity_id (string or null),
//             confidence (float or null), shared (bool),
//             owner_until (list of epoch ms, or null), owner_before (list of identity
//             ids, or null): it was owner_before[k]'s until owner_until[k], oldest first,
//             identity_id's since;
//             tie_verdict ('handover', 'one_person', 'glue' or null), tie_score (float
//             or null), tie_signals (list of signal names or null), tie_values (list of
//             floats, one per signal, or null)}
UNWIND $rows AS r
MATCH (i) WHERE elementId(i) = r.id
SET i.identity_id = r.identity_id, i.confidence = r.confidence, i.shared = r.shared,
    i.owner_until = r.owner_until, i.owner_before = r.owner_before,
    i.tie_verdict = r.tie_verdict, i.tie_score = r.tie_score,
    i.tie_signals = r.tie_signals, i.tie_values = r.tie_values

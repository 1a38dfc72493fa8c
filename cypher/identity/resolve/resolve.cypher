// Resolve in one statement (one round trip, one consistent read): find the given
// identifiers and, when the usable ones point at exactly one identity, everything the
// answer needs about it, as plain values (epoch ms, never date-times: the driver
// decodes those slowly). The lookup part is resolve/lookup_identifiers, inlined.
// Parameters: $identifiers list of {type, value} (normalised), $recent integer
//   (latest events for habits and timing), $links integer (links per given
//   identifier), $events integer (events per link), $at epoch ms or null (now): the
//   owner of a handed-over identifier (a recycled phone, a resold device) is the one at
//   $at: owner_before[k] for the first k with $at < owner_until[k], else its identity
// Columns (one row):
//   found: list of {type, value, identity_id (at $at; null: shared or not clustered
//     yet), handovers (list of {identity_id, until (epoch ms)}: its earlier owners,
//     oldest first),
//     blocked, shared (hub or boundary identifier), confidence (membership, null before
//     clustering), first_seen, last_seen (epoch ms), used_by (identity ids of a shared
//     identifier, heaviest first, at most 20), used_by_count}, one per given identifier
//     found;
//   identity_id: the one identity the usable found identifiers (unblocked ones, or all
//     when all are blocked) belong to; null when they belong to none or to several
//     (then every column below is null or empty);
//   risk_flags, ring_id, ring_score, ring_reasons, bot_score, bot_reasons: what fraud
//     detection stored on the identity (null when it has not scored it);
//   members: list of {type, value, confidence, first_seen, last_seen, event_count,
//     channels, tie (null, or {verdict, score, signals, values}: what clustering
//     decided about it as a pooled identifier tying several names)}, by type and value
//     (as identity/members);
//   recent: list of [at (epoch ms or null), channel ('unknown' when unset)], the
//     identity's latest events as their subject, each once, newest first;
//   evidence: list of {type, value (the given identifier), other_type, other_value,
//     weight, count, channels, first_seen, last_seen, events: list of {source,
//     event_id, timestamp, channel}}: each given member's heaviest links to other
//     members, and the latest events that saw both ends.
CALL () {
  UNWIND $identifiers AS x
  MATCH (i:Identifier {type: x.type, value: x.value})
  WITH i, CASE WHEN $at IS NULL OR i.owner_until IS NULL OR i.identity_id IS NULL
              THEN i.identity_id
              ELSE coalesce(head([k IN range(0, size(i.owner_until) - 1)
                                  WHERE $at < i.owner_until[k] | i.owner_before[k]]),
                            i.identity_id)
         END AS owner
  RETURN collect({
    type: i.type, value: i.value, identity_id: owner, blocked: i.blocked,
    handovers: [k IN range(0, coalesce(size(i.owner_until), 0) - 1) |
                {identity_id: i.owner_before[k], until: i.owner_until[k]}],
    shared: coalesce(i.shared, false) OR coalesce(i.hub, false),
    confidence: i.confidence, first_seen: i.first_seen.epochMillis,
    last_seen: i.last_seen.epochMillis,
    used_by: COLLECT {
      MATCH (i)-[u:USED_BY]->(p:Identity)
      RETURN p.identity_id ORDER BY u.weight DESC, p.identity_id LIMIT 20
    },
    used_by_count: COUNT { (i)-[:USED_BY]->(:Identity) }
  }) AS found
}
WITH found, [f IN found WHERE NOT coalesce(f.blocked, false)] AS unblocked
WITH found, [f IN CASE WHEN unblocked = [] THEN found ELSE unblocked END
             WHERE f.identity_id IS NOT NULL] AS given
WITH found, given,
     reduce(ids = [], g IN given |
       CASE WHEN g.identity_id IN ids THEN ids ELSE ids + g.identity_id END) AS ids
WITH found, CASE WHEN size(ids) = 1 THEN ids[0] END AS identity_id, given
OPTIONAL MATCH (p:Identity {identity_id: identity_id})
RETURN found, identity_id,
       p.risk_flags AS risk_flags, p.ring_id AS ring_id, p.ring_score AS ring_score,
       p.ring_reasons AS ring_reasons, p.bot_score AS bot_score,
       p.bot_reasons AS bot_reasons,
       COLLECT {
         MATCH (i:Identifier {identity_id: identity_id})
         WITH i ORDER BY i.type, i.value
         RETURN {
           type: i.type, value: i.value, confidence: i.confidence,
           first_seen: i.first_seen.epochMillis, last_seen: i.last_seen.epochMillis,
           event_count: i.event_count,
           tie: CASE WHEN i.tie_verdict IS NULL THEN null
                ELSE {verdict: i.tie_verdict, score: i.tie_score, signals: i.tie_signals,
                      values: i.tie_values} END,
           channels: COLLECT {
             MATCH (e:Event)-[o:OBSERVED]->(i)
             WHERE coalesce(o.role, 'subject') = 'subject'
             WITH DISTINCT coalesce(e.channel, 'unknown') AS channel
             RETURN channel ORDER BY channel
           }
         }
       } AS members,
       COLLECT {
         MATCH (i:Identifier {identity_id: identity_id})<-[o:OBSERVED]-(e:Event)
         WHERE coalesce(o.role, 'subject') = 'subject'
         WITH DISTINCT e
         WITH e.timestamp.epochMillis AS at, coalesce(e.channel, 'unknown') AS channel
         ORDER BY at DESC
         LIMIT $recent
         RETURN [at, channel]
       } AS recent,
       COLLECT {
         UNWIND given AS g
         MATCH (i:Identifier {type: g.type, value: g.value})-[r:LINKED]-(n:Identifier)
         WHERE identity_id IS NOT NULL AND n.identity_id = identity_id
         WITH i, r, n
         ORDER BY coalesce(r.weight, 0.0) DESC, r.count DESC, n.type, n.value
         WITH i, collect({r: r, n: n})[..$links] AS top
         UNWIND top AS t
         WITH i, t.r AS r, t.n AS n
         RETURN {
           type: i.type, value: i.value, other_type: n.type, other_value: n.value,
           weight: r.weight, count: r.count, channels: r.channels,
           first_seen: r.first_seen.epochMillis, last_seen: r.last_seen.epochMillis,
           events: COLLECT {
             MATCH (i)<-[:OBSERVED]-(e:Event)-[:OBSERVED]->(n)
             WITH e ORDER BY e.timestamp DESC LIMIT $events
             RETURN {source: e.source, event_id: e.event_id,
                     timestamp: e.timestamp.epochMillis, channel: e.channel}
           }
         }
       } AS evidence

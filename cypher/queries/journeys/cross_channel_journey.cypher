// @purpose The cross-channel journey of a person: the order of channels over time,
//   consecutive events on the same channel collapsed into one step. Only events in which
//   the identity is the subject (not the referrer) count.
// @param identity_id string "id_0123456789abcdef0123"  the identity (public id)
// @column step      position in the journey (1: first channel)
// @column channel   the channel (web, app, call, email, sms, store...)
// @column first_at  first event of the step
// @column last_at   last event of the step
// @column events    events in the step
// @column types     event types in the step, in order of first occurrence
MATCH (e:Event)-[o:OBSERVED]->(:Identifier {identity_id: $identity_id})
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT e
ORDER BY e.timestamp, e.source, e.event_id
WITH collect(e) AS events
WITH reduce(runs = [], e IN events |
       CASE
         WHEN size(runs) > 0 AND runs[-1].channel = e.channel
         THEN runs[..-1] + [{
           channel: e.channel, first_at: runs[-1].first_at, last_at: e.timestamp,
           events: runs[-1].events + 1,
           types: CASE WHEN e.type IN runs[-1].types THEN runs[-1].types
                       ELSE runs[-1].types + [e.type] END
         }]
         ELSE runs + [{
           channel: e.channel, first_at: e.timestamp, last_at: e.timestamp, events: 1,
           types: [e.type]
         }]
       END) AS runs
UNWIND range(0, size(runs) - 1) AS k
RETURN k + 1 AS step, runs[k].channel AS channel, runs[k].first_at AS first_at,
       runs[k].last_at AS last_at, runs[k].events AS events, runs[k].types AS types
ORDER BY step

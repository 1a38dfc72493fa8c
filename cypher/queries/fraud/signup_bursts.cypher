// @purpose Bursts of sign-ups: days (UTC) with at least `min_signups` sign-up events on
//   one channel, with how many distinct devices and phones they came with. Many
//   sign-ups over few devices is how fraud rings show up.
// @param min_signups int 5 [default] list days with at least this many sign-ups on a channel
// @column day          the day (UTC date)
// @column channel      the channel of the sign-ups
// @column signups      sign-up events that day on that channel
// @column identities   distinct identities of the people signing up
// @column devices      distinct devices seen with those sign-ups
// @column phones       distinct phones seen with those sign-ups
MATCH (e:Event {type: 'signup'})
WITH date(datetime.fromepochmillis(e.timestamp.epochMillis)) AS day, e.channel AS channel,
     collect(e) AS events
WHERE size(events) >= $min_signups
CALL (events) {
  UNWIND events AS e
  MATCH (e)-[o:OBSERVED]->(i:Identifier)
  WHERE coalesce(o.role, 'subject') = 'subject'
  RETURN count(DISTINCT i.identity_id) AS identities,
         count(DISTINCT CASE WHEN i.type = 'device' THEN i END) AS devices,
         count(DISTINCT CASE WHEN i.type = 'phone' THEN i END) AS phones
}
RETURN day, channel, size(events) AS signups, identities, devices, phones
ORDER BY signups DESC, day DESC, channel

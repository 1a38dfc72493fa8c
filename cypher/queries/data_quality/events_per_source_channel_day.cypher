// @purpose Events per source and channel per day in a period (UTC days): gaps and
//   spikes in a feed show up here.
// @param since datetime "2026-03-01T00:00:00Z"  first instant included
// @param until datetime "2026-06-01T00:00:00Z"  first instant excluded
// @column day      the day (UTC date)
// @column source   the system that sent the events
// @column channel  the channel (web, app, call, email, sms, store...)
// @column events   how many events
MATCH (e:Event)
WHERE e.timestamp >= $since AND e.timestamp < $until
WITH date(datetime.fromepochmillis(e.timestamp.epochMillis)) AS day, e.source AS source,
     e.channel AS channel
RETURN day, source, channel, count(*) AS events
ORDER BY day, source, channel

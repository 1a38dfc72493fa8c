// @purpose Customers who visited in a shop (channel 'store') and then came on the web
//   within a few days (7: a week): per identity, its first shop visit in [since, until)
//   that was followed by a web event within `within_days` days.
// @param since datetime "2026-03-01T00:00:00Z"  first instant included (shop visit)
// @param until datetime "2026-06-01T00:00:00Z"  first instant excluded (shop visit)
// @param within_days int 7 [default] the web event must come at most this many days after
// @column identity_id  the customer's identity
// @column store_at     the shop visit
// @column web_at       the first web event after it
// @column hours_after  hours between the two
// @column store_visits shop visits of that identity in the period followed by a web visit
MATCH (s:Event {channel: 'store'})-[o:OBSERVED]->(i:Identifier)
WHERE coalesce(o.role, 'subject') = 'subject' AND s.timestamp >= $since AND s.timestamp < $until AND i.identity_id IS NOT NULL
WITH DISTINCT i.identity_id AS identity_id, s
CALL (identity_id, s) {
  MATCH (w:Event {channel: 'web'})-[ow:OBSERVED]->
        (:Identifier {identity_id: identity_id})
  WHERE coalesce(ow.role, 'subject') = 'subject'
    AND w.timestamp > s.timestamp
    AND w.timestamp <= s.timestamp + duration({days: $within_days})
  RETURN min(w.timestamp) AS web_at
}
WITH identity_id, s, web_at
WHERE web_at IS NOT NULL
ORDER BY s.timestamp
WITH identity_id, collect({store_at: s.timestamp, web_at: web_at}) AS visits
RETURN identity_id, visits[0].store_at AS store_at, visits[0].web_at AS web_at,
       duration.inSeconds(visits[0].store_at, visits[0].web_at).seconds / 3600.0
         AS hours_after,
       size(visits) AS store_visits
ORDER BY store_at, identity_id

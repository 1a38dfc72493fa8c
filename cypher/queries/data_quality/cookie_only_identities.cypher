// @purpose People known only by cookies: active identities whose every identifier is
//   a cookie (no e-mail, phone, account, device or card): anonymous visitors, or
//   people the graph failed to tie to a login.
// @column identity_id  the identity (public id)
// @column cookies      how many cookies it has
// @column events       events that saw those cookies
// @column first_seen   first time one of them was seen
// @column last_seen    latest time one of them was seen
MATCH (p:Identity)
WHERE p.status = 'active'
MATCH (i:Identifier {identity_id: p.identity_id})
WITH p, collect(i) AS members
WHERE size(members) > 0 AND all(m IN members WHERE m.type = 'cookie')
RETURN p.identity_id AS identity_id, size(members) AS cookies,
       reduce(n = 0, m IN members | n + coalesce(m.event_count, 0)) AS events,
       reduce(t = null, m IN members |
         CASE WHEN t IS NULL OR m.first_seen < t THEN m.first_seen ELSE t END) AS first_seen,
       reduce(t = null, m IN members |
         CASE WHEN t IS NULL OR m.last_seen > t THEN m.last_seen ELSE t END) AS last_seen
ORDER BY events DESC, identity_id

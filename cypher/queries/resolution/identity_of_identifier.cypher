// @purpose The identity an identifier belongs to, and how sure the membership is. A
//   shared identifier (hub, family tablet) belongs to none: `used_by` lists the
//   identities that use it.
// @param type string "email"  the identifier type
// @param value string "jean.dupont@example.fr"  the normalised value (e-mail lower-cased, phone in E.164)
// @column type         the identifier type
// @column value        the normalised value
// @column identity_id  the identity it belongs to (null: shared, blocked or not clustered yet)
// @column status       that identity's status (active, merged, retired)
// @column size         how many identifiers that identity has
// @column confidence   membership confidence in [0, 1] (null before clustering)
// @column shared       true for a hub or boundary identifier (belongs to no identity)
// @column blocked      true for a blocklisted junk value
// @column used_by      identity ids using a shared identifier, heaviest first (at most 20)
MATCH (i:Identifier {type: $type, value: $value})
OPTIONAL MATCH (p:Identity {identity_id: i.identity_id})
RETURN i.type AS type, i.value AS value, i.identity_id AS identity_id,
       p.status AS status, p.size AS size, i.confidence AS confidence,
       coalesce(i.shared, false) OR coalesce(i.hub, false) AS shared,
       coalesce(i.blocked, false) AS blocked,
       COLLECT {
         MATCH (i)-[u:USED_BY]->(q:Identity)
         RETURN q.identity_id ORDER BY u.weight DESC, q.identity_id LIMIT 20
       } AS used_by

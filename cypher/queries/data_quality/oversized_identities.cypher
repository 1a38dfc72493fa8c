// @purpose Identities too big to be one person: more identifiers than `min_size`,
//   biggest first, with what they hold. Usually a missed hub (a kiosk, a staff e-mail)
//   or a household glued together.
// @param min_size int 15 [default] list identities with at least this many identifiers
// @column identity_id  the identity (public id)
// @column size         how many identifiers it has
// @column cohesion     share of its members' link weight that stays inside it
// @column emails       how many e-mails it has
// @column phones       how many phones it has
// @column devices      how many devices it has
// @column cookies      how many cookies it has
// @column cards        how many cards it has
MATCH (p:Identity)
WHERE p.status = 'active' AND p.size >= $min_size
CALL (p) {
  MATCH (i:Identifier {identity_id: p.identity_id})
  RETURN sum(CASE i.type WHEN 'email' THEN 1 ELSE 0 END) AS emails,
         sum(CASE i.type WHEN 'phone' THEN 1 ELSE 0 END) AS phones,
         sum(CASE i.type WHEN 'device' THEN 1 ELSE 0 END) AS devices,
         sum(CASE i.type WHEN 'cookie' THEN 1 ELSE 0 END) AS cookies,
         sum(CASE i.type WHEN 'card' THEN 1 ELSE 0 END) AS cards
}
RETURN p.identity_id AS identity_id, p.size AS size, p.cohesion AS cohesion,
       emails, phones, devices, cookies, cards
ORDER BY size DESC, identity_id

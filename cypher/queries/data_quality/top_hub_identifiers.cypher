// @purpose Top hub identifiers: identifiers with the most distinct LINKED neighbours
//   (kiosks, staff e-mails, ring phones, bots' devices), hubs or not.
// @param top int 20 [default] how many identifiers
// @column type         the identifier type
// @column value        the normalised value
// @column neighbours   distinct identifiers it is linked to
// @column hub          whether clustering marked it a hub (never joins identities)
// @column shared       whether it belongs to no identity (hub or boundary identifier)
// @column identities   identities that use it (USED_BY) or it belongs to
MATCH (i:Identifier)
WITH i, COUNT { MATCH (i)-[:LINKED]-(n:Identifier) RETURN DISTINCT n } AS neighbours
ORDER BY neighbours DESC, i.type, i.value
LIMIT $top
RETURN i.type AS type, i.value AS value, neighbours, coalesce(i.hub, false) AS hub,
       coalesce(i.shared, false) AS shared,
       CASE WHEN i.identity_id IS NULL THEN COUNT { (i)-[:USED_BY]->(:Identity) }
            ELSE 1 END AS identities
ORDER BY neighbours DESC, type, value

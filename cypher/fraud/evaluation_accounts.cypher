// Evaluation on labelled data: every account identifier, its identity, when it was
// first seen (a fed chargeback takes that time, so that no sighting moves) and the
// cards and devices linked to it (opaque node ids: "number of cards alone" and the
// naive components over shared cards and devices are computed from them).
// Parameters: none
// Columns: value (the account, normalised), identity_id, first_seen (epoch ms),
//          cards (node ids), devices (node ids)
MATCH (a:Identifier {type: 'account'})
CALL (a) {
  OPTIONAL MATCH (a)-[:LINKED]-(x:Identifier)
  WHERE x.type IN ['card', 'device']
  RETURN collect(CASE WHEN x.type = 'card' THEN elementId(x) END) AS cards,
         collect(CASE WHEN x.type = 'device' THEN elementId(x) END) AS devices
}
RETURN a.value AS value, a.identity_id AS identity_id,
       a.first_seen.epochMillis AS first_seen, cards, devices

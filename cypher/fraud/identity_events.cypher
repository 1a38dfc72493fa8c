// Detection step 3: the events of the given identities (where they are the event's
// person), with the devices and cookies each event saw as opaque node ids.
// Parameters: $ids list of identity ids
// Returns: identity_id, at (epoch ms), type, channel, attributes (JSON string or null),
//          devices, cookies (node ids)
UNWIND $ids AS id
MATCH (:Identifier {identity_id: id})<-[o:OBSERVED]-(e:Event)
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT id, e
CALL (e) {
  OPTIONAL MATCH (e)-[ox:OBSERVED]->(x:Identifier)
  WHERE x.type IN ['device', 'cookie'] AND coalesce(ox.role, 'subject') = 'subject'
  RETURN collect(CASE WHEN x.type = 'device' THEN elementId(x) END) AS devices,
         collect(CASE WHEN x.type = 'cookie' THEN elementId(x) END) AS cookies
}
RETURN id AS identity_id, e.timestamp.epochMillis AS at, e.type AS type,
       e.channel AS channel, e.attributes AS attributes, devices, cookies

// Export: every identifier that belongs to an identity, with its membership confidence.
// Shared identifiers (hubs, boundary devices) belong to none and are not listed.
MATCH (i:Identifier)
WHERE i.identity_id IS NOT NULL
RETURN i.type AS identifier_type, i.value AS identifier_value, i.identity_id AS identity_id,
       i.confidence AS confidence
ORDER BY identity_id, identifier_type, identifier_value

// Record that a schema migration was applied (idempotent).
// Parameters: $name (e.g. "001_identifier_keys")
MERGE (m:SchemaMigration {name: $name})
ON CREATE SET m.applied_at = datetime()

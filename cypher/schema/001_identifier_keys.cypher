// Migration 001: keys of identifiers, events and identities.
// Applied idempotently (IF NOT EXISTS) by `idgraph db migrate` and at API start.
// Statements are separated by semicolons.

// One node per identifier: its type plus its normalised value.
CREATE CONSTRAINT identifier_type_value IF NOT EXISTS
FOR (i:Identifier) REQUIRE (i.type, i.value) IS UNIQUE;

// One node per event: event ids are unique per source system.
CREATE CONSTRAINT event_source_id IF NOT EXISTS
FOR (e:Event) REQUIRE (e.source, e.event_id) IS UNIQUE;

// One node per identity (a person), keyed by its public id.
CREATE CONSTRAINT identity_id IF NOT EXISTS
FOR (p:Identity) REQUIRE p.identity_id IS UNIQUE;

// Identifiers of an identity.
CREATE INDEX identifier_identity IF NOT EXISTS
FOR (i:Identifier) ON (i.identity_id);

// Migrations applied, by name.
CREATE CONSTRAINT schema_migration_name IF NOT EXISTS
FOR (m:SchemaMigration) REQUIRE m.name IS UNIQUE;

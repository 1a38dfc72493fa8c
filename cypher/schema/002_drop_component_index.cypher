// Migration 002: clustering no longer writes a `component` property on identifiers
// (components are streamed from GDS), so the index on it is dropped where an earlier
// version created it.
DROP INDEX identifier_component IF EXISTS;

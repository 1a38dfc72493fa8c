// Migration 003: identifiers touched by ingest since the last clustering run, found
// without scanning the graph (an incremental run costs what changed, not the graph).
CREATE INDEX identifier_changed IF NOT EXISTS
FOR (i:Identifier) ON (i.changed);

// Migration 005: canonical event types (graph/model/event_types.py). Events whose type
// maps to no canonical one are counted per source and type as sent, one node each,
// merged by every ingest batch that meets one.

// One node per (source, type as sent): concurrent batches merge the same node.
CREATE CONSTRAINT unmapped_event_type_key IF NOT EXISTS
FOR (t:UnmappedEventType) REQUIRE (t.source, t.source_type) IS UNIQUE;

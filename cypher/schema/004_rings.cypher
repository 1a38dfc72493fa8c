// Migration 004: fraud rings (graph.fraud.detect). One node per ring, keyed by its public id,
// and the identities' ring and risk properties found without scanning.

// One node per ring: ring_<16 hex>, derived from its members.
CREATE CONSTRAINT ring_id IF NOT EXISTS
FOR (r:Ring) REQUIRE r.ring_id IS UNIQUE;

// Members of a ring (Identity.ring_id), for resolve and the rings API.
CREATE INDEX identity_ring IF NOT EXISTS
FOR (p:Identity) ON (p.ring_id);

// Scored identities: a detection run clears the previous run's scores through it.
CREATE INDEX identity_risk IF NOT EXISTS
FOR (p:Identity) ON (p.risk);

// Rings ranked by score.
CREATE INDEX ring_score IF NOT EXISTS
FOR (r:Ring) ON (r.score);

"""The pinned versions of the database the project assembles: change them here only.

GDS 2.13 is the last Graph Data Science line built for Neo4j 5.26 LTS (2.14 and
later target Neo4j 2025.x on Java 21); 2.13.9 is its newest release on Maven Central.
"""

from __future__ import annotations

__all__ = ["BROWSER_VERSION", "GDS_VERSION", "NEO4J_VERSION"]

NEO4J_VERSION = "5.26.30"
"""Neo4j Community, 5.26 LTS line (Java 17)."""

GDS_VERSION = "2.13.9"
"""Graph Data Science (open-source edition), the newest release for Neo4j 5.26."""

BROWSER_VERSION = "5.24.0"
"""Neo4j Browser, served by the server on its HTTP port at ``/browser``."""

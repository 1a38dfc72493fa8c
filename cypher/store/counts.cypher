// What the graph holds: node counts by label and relationship counts by type.
RETURN COUNT { (:Identifier) } AS identifiers,
       COUNT { (:Event) } AS events,
       COUNT { (:Identity) } AS identities,
       COUNT { ()-[:LINKED]->() } AS links,
       COUNT { ()-[:REFERRED]->() } AS referrals

// Clustering step 6: drop the USED_BY links of the previous run (rewritten next).
// Run in an auto-commit transaction.
MATCH (:Identifier)-[u:USED_BY]->(:Identity)
CALL (u) { DELETE u } IN TRANSACTIONS OF 10000 ROWS

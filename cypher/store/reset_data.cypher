// Delete every node and relationship in batches; constraints and indexes stay.
// Runs in an auto-commit transaction (CALL ... IN TRANSACTIONS).
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS

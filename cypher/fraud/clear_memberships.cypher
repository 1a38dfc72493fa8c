// Detection write 3: forget every ring membership (this run writes them again).
// Parameters: none
MATCH (:Identity)-[m:IN_RING]->(:Ring)
DELETE m

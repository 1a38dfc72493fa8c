// Clustering (full run): the newest link's last sighting, in epoch ms (link ages are
// measured from it).
MATCH ()-[r:LINKED]->()
RETURN max(r.last_seen).epochMillis AS newest

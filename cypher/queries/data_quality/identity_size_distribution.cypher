// @purpose The distribution of identity sizes: how many active identities have 1, 2,
//   3... identifiers, with the cumulative share. A long tail points at over-merging.
// @column size        number of identifiers in an identity
// @column identities  how many active identities have that size
// @column share       their share of all active identities
// @column cumulative  share of active identities of that size or smaller
MATCH (p:Identity)
WHERE p.status = 'active'
WITH p.size AS size, count(*) AS identities
ORDER BY size
WITH collect({size: size, identities: identities}) AS rows, sum(identities) AS total
UNWIND range(0, size(rows) - 1) AS k
WITH rows[k] AS row, total,
     reduce(acc = 0, r IN rows[..k + 1] | acc + r.identities) AS upto
RETURN row.size AS size, row.identities AS identities,
       toFloat(row.identities) / total AS share, toFloat(upto) / total AS cumulative
ORDER BY size

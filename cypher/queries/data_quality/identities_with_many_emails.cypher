// @purpose Identities with more than N e-mail addresses: a person rarely has many, so
//   these are merge suspects (or staff addresses typed into customers' events).
// @param more_than int 2 [default] list identities with strictly more e-mails than this
// @column identity_id  the identity (public id)
// @column emails       how many e-mails it has
// @column size         how many identifiers it has in all
// @column email_list   the e-mails (at most 20, alphabetical)
MATCH (i:Identifier {type: 'email'})
WHERE i.identity_id IS NOT NULL
WITH i.identity_id AS identity_id, count(i) AS emails, collect(i.value) AS values
WHERE emails > $more_than
OPTIONAL MATCH (p:Identity {identity_id: identity_id})
RETURN identity_id, emails, p.size AS size, COLLECT { UNWIND values AS v RETURN v ORDER BY v LIMIT 20 } AS email_list
ORDER BY emails DESC, identity_id

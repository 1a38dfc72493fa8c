"""Pure data: identifiers and their normalisation, events, ids, privacy, times."""

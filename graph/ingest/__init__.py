"""Ingest: reading JSON Lines and CSV, validating, writing batches."""

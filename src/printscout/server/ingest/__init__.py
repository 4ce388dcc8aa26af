"""Ingest: collectors upload batches of readings."""

"""The PrintScout server: ingest API for collectors (and, later, the console)."""

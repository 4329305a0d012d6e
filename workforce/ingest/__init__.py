"""Ingest: raw extracts and open data into validated, quarantined, loaded frames."""

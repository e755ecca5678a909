"""Ingest OCR'd newspaper pages: read, segment, normalise, group variants into stories, write the index."""

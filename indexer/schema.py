"""The whoosh schema: one document per article variant, holding only what filters and joins need.

Nothing is stored in whoosh: its stored fields are pickles, and an index is
data a researcher may be handed by someone else. A variant's text, title and
metadata live in its segment pack (indexer/documents.py), which the `key`
column joins to; whoosh keeps the terms that scope a search (source, latest
version, publication, date, sidecar keys), the story id, and the commit point.
"""
from __future__ import annotations

from whoosh import columns, fields

META_PREFIX = "meta_"


def build_schema() -> fields.Schema:
    """Fields for filtering and grouping; `key` joins each document to its segment pack."""
    schema = fields.Schema(
        variant_id=fields.ID(unique=True),
        article_id=fields.ID(sortable=True),
        source=fields.ID(sortable=True),
        latest=fields.BOOLEAN(),
        # A column, not terms: it is only ever read whole, to join documents to the literal index.
        key=fields.COLUMN(columns.NumericColumn("Q")),
        publication=fields.ID(),
        date=fields.ID(),
    )
    schema.add(META_PREFIX + "*", fields.ID(), glob=True)
    return schema

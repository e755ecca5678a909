"""The whoosh schema: one document per article variant, plus one per source holding its catalogue entry."""
from __future__ import annotations

from whoosh import columns, fields

VARIANT = "variant"
SOURCE = "source"
MANIFEST = "manifest"
META_PREFIX = "meta_"


def build_schema() -> fields.Schema:
    """Fields for filtering, grouping and display; `key` joins the segments beside the index, which
    hold the postings that matching (character bigrams) and ranking (jieba words) run on."""
    schema = fields.Schema(
        kind=fields.ID(stored=True),
        variant_id=fields.ID(stored=True, unique=True),
        article_id=fields.ID(stored=True, sortable=True),
        source=fields.ID(stored=True, sortable=True),
        version=fields.STORED(),
        latest=fields.BOOLEAN(stored=True),
        ordinal=fields.STORED(),
        title=fields.STORED(),
        # A column, not terms: it is only ever read whole, to join documents to the literal index.
        key=fields.COLUMN(columns.NumericColumn("Q")),
        text=fields.STORED(),
        head_lines=fields.STORED(),
        offsets=fields.STORED(),
        sketch=fields.STORED(),
        publication=fields.ID(stored=True),
        date=fields.ID(stored=True),
        metadata=fields.STORED(),
        content_hash=fields.ID(stored=True),
        path=fields.STORED(),
        indexed_at=fields.STORED(),
        articles=fields.STORED(),
        history=fields.STORED(),
        segments=fields.STORED(),
        next_key=fields.STORED(),
        aliases=fields.STORED(),
    )
    schema.add(META_PREFIX + "*", fields.ID(), glob=True)
    return schema

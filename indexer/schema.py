"""The whoosh schema: one document per article variant, plus one per source holding its catalogue entry."""
from __future__ import annotations

from whoosh import fields

from indexer.analysis import BigramTokenizer, JiebaTokenizer

VARIANT = "variant"
SOURCE = "source"
TITLE_BOOST = 2.5
META_PREFIX = "meta_"


def build_schema() -> fields.Schema:
    """Fields for ranking (jieba words), literal matching (bigrams), filtering, grouping and display.

    The analyzers are bare tokenizers: their input is already normalised, and
    no stemming or stop-word filter may touch Chinese text.
    """
    schema = fields.Schema(
        kind=fields.ID(stored=True),
        variant_id=fields.ID(stored=True, unique=True),
        article_id=fields.ID(stored=True, sortable=True),
        source=fields.ID(stored=True, sortable=True),
        version=fields.NUMERIC(stored=True, sortable=True),
        latest=fields.BOOLEAN(stored=True),
        ordinal=fields.NUMERIC(stored=True),
        title=fields.TEXT(analyzer=JiebaTokenizer(), stored=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=JiebaTokenizer(), phrase=False),
        chars=fields.TEXT(analyzer=BigramTokenizer(), phrase=True),
        text=fields.STORED(),
        head_lines=fields.STORED(),
        norm=fields.STORED(),
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
    )
    schema.add(META_PREFIX + "*", fields.ID(), glob=True)
    return schema

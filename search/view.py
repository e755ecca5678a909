"""A consistent read-only view of one index generation: the whoosh searcher, the literal segments, and
the arrays that join them (document keys, story of each document, cached scopes)."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer.literal import LiteralIndex
from indexer.store import column_by_docnum, document_keys, read_manifest

SCOPE_CACHE_SIZE = 32


class View:
    """Everything a query needs from one generation; built once per generation and thread."""

    def __init__(self, ix: Index, index_dir: Path, weighting) -> None:
        self.searcher: Searcher = ix.searcher(weighting=weighting)
        self.generation = self.searcher.reader().generation()
        manifest = read_manifest(self.searcher)
        self.literal = LiteralIndex.open(index_dir, manifest["segments"])
        reader = self.searcher.reader()
        keys = document_keys(reader)
        self.docnum_of_key = np.full(int(keys.max(initial=0)) + 1, -1, dtype=np.int64)
        self.docnum_of_key[keys[keys > 0]] = np.nonzero(keys > 0)[0]
        story_ids: dict[str, int] = {}
        self.story_of = np.array([story_ids.setdefault(s, len(story_ids)) if s else -1
                                  for s in column_by_docnum(reader, "article_id", "")], dtype=np.int64)
        self.story_of[keys == 0] = -1
        self.story_names = list(story_ids)
        self._scopes: OrderedDict[object, np.ndarray] = OrderedDict()

    def close(self) -> None:
        self.searcher.close()

    def docnums(self, keys: np.ndarray) -> np.ndarray:
        """Live document numbers of literal-index keys, sorted; keys whoosh no longer holds are dropped."""
        keys = keys[keys < len(self.docnum_of_key)]
        docnums = self.docnum_of_key[keys]
        return np.unique(docnums[docnums >= 0])

    def scope(self, filter_query: wq.Query) -> np.ndarray:
        """Sorted document numbers the filter admits, cached per filter for this generation."""
        cached = self._scopes.get(filter_query)
        if cached is not None:
            self._scopes.move_to_end(filter_query)
            return cached
        docnums = np.fromiter(self.searcher.docs_for_query(filter_query), dtype=np.int64)
        docnums.sort()
        self._scopes[filter_query] = docnums
        if len(self._scopes) > SCOPE_CACHE_SIZE:
            self._scopes.popitem(last=False)
        return docnums

    def story_members(self, story: int, scope: np.ndarray) -> np.ndarray:
        """Document numbers of one story within the scope."""
        members = np.nonzero(self.story_of == story)[0]
        return members[np.isin(members, scope, assume_unique=True)]

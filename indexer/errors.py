"""The index errors a user can meet; each message is one line for the user."""
from __future__ import annotations


class CorpusIndexError(Exception):
    """Base of index errors whose message is one line for the user."""


class IndexMissing(CorpusIndexError):
    """No index exists at the given path yet."""


class IndexBusy(CorpusIndexError):
    """Another process holds the index's write lock."""


class NotAnIndex(CorpusIndexError):
    """The path exists but holds something other than a corpus index."""


class IndexCorrupt(CorpusIndexError):
    """The index's files do not match its manifest: damaged, truncated or replaced."""


class IndexIncompatible(CorpusIndexError):
    """The index was built by a corpus whose format or normalisation differs from this one's."""


class IndexWriteFailed(CorpusIndexError):
    """Writing failed part-way; nothing of the session was committed."""

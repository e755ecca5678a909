"""Deliberate crashes at named points of indexing, so tests can kill a real run exactly where it hurts.

Set CORPUS_CRASH_AT to a point's name and the process SIGKILLs itself on
reaching it: no cleanup, no flushing, as a power cut or an OOM kill would
leave things (less the page cache, which a killed process does not lose).
"""
from __future__ import annotations

import os
import signal

CRASH_ENV = "CORPUS_CRASH_AT"
# In the order a run reaches them.
POINTS = ("segment-written", "catalogue-written", "whoosh-segments-written", "manifest-written", "toc-written",
          "committed")
# Reached after "segment-written" by a run that merges segments (indexer/merge.py), and by `corpus compact`.
MERGE_POINT = "merge-written"


def crash_point(name: str) -> None:
    """Die here, at once, if this is the point the environment names."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)

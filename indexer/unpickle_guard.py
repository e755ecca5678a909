"""Make whoosh's own unpickling refuse anything but the few plain types its files hold.

whoosh keeps its table of contents, posting-block headers and some column
values as pickles, and unpickling can run arbitrary code named in the data:
opening an index someone else made would trust them with this machine. The
schema is never unpickled (store.open_index passes it in); every other load
whoosh makes goes through an unpickler that resolves only the classes below.
A damaged or hostile file then fails with an UnpicklingError, which opening
the index reports as one line.
"""
from __future__ import annotations

import io
import pickle
from types import SimpleNamespace
from typing import Any

# What whoosh 2.7.4's files hold, measured by logging every class its loads resolve while an index is
# written, merged, searched and filtered: its segment and codec objects, and plain containers.
ALLOWED = frozenset({
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("collections", "defaultdict"),
    ("builtins", "int"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
})


class GuardedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only ALLOWED globals."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name} from an index file")
        return super().find_class(module, name)


def guarded_loads(data: bytes, **_: Any) -> Any:
    """pickle.loads through GuardedUnpickler."""
    return GuardedUnpickler(io.BytesIO(data)).load()


def guarded_load(file, **_: Any) -> Any:
    """pickle.load through GuardedUnpickler."""
    return GuardedUnpickler(file).load()


def install() -> None:
    """Point every whoosh module that unpickles index data at the guarded functions."""
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index

    # The TOC reader calls pickle.loads on the schema unless it is given one (store.open_index always is).
    whoosh.index.pickle = SimpleNamespace(loads=guarded_loads, dumps=pickle.dumps, PicklingError=pickle.PicklingError)
    whoosh.codec.whoosh3.loads = guarded_loads
    whoosh.columns.loads = guarded_loads
    whoosh.formats.loads = guarded_loads
    whoosh.filedb.structfile.load_pickle = guarded_load

"""A time budget for one request: a search that runs too long stops at its deadline with a clear error,
instead of holding a server thread (which Python cannot interrupt) for as long as it takes."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


class QueryTimeout(Exception):
    """A search went past its time budget; the message is one line for the user."""


@dataclass
class Deadline:
    """When a request must be done by; `check` is called between the steps of a search."""

    seconds: float | None = None
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        """Raise QueryTimeout once the budget is spent (never when there is none)."""
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            raise QueryTimeout(f"the query ran past its time budget of {self.seconds:g} s; "
                               "make it more specific (rarer terms, fewer ORs, filters) and try again")

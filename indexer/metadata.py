"""Turn sidecar metadata into filterable index terms: publication, ISO date and any other key."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from indexer.normalise import normalise_text
from indexer.schema import META_PREFIX

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class MetadataError(ValueError):
    """A metadata value or filter that cannot be understood; the message is one line for the user."""


def parse_date(value: Any) -> str:
    """An ISO date (YYYY-MM-DD) from the forms newspapers' metadata uses; raises MetadataError."""
    text = normalise_text(str(value))
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise MetadataError(f"not a date: {value!r} (use YYYY-MM-DD)")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise MetadataError(f"not a date: {value!r}") from None


def filter_value(value: Any) -> str:
    """The indexed form of a filter value: normalised, so width and case do not matter."""
    return normalise_text(str(value)).strip()


def meta_field(key: str) -> str | None:
    """The index field of a sidecar key, or None when the key cannot be a field name."""
    folded = normalise_text(key).strip().replace("-", "_")
    return META_PREFIX + folded if _KEY.match(folded) else None


def index_terms(metadata: dict[str, Any]) -> dict[str, str]:
    """Index fields for a source's metadata: publication, date and one meta_ field per scalar key.

    A date that cannot be parsed is left out of the date field (it stays in
    the returned metadata) rather than failing the whole file.
    """
    terms: dict[str, str] = {}
    for key, value in metadata.items():
        if value is None or isinstance(value, (dict, list)):
            continue
        if key == "publication":
            terms["publication"] = filter_value(value)
        elif key == "date":
            try:
                terms["date"] = parse_date(value)
            except MetadataError:
                pass
        field = meta_field(key)
        if field:
            terms[field] = filter_value(value)
    return terms

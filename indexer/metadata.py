"""Page metadata: where it comes from (sidecars, path templates, --set), what is wrong with it, and the
filterable index terms it becomes (publication, ISO date, one meta_ field per scalar key).

A value a filter cannot use never refuses its page: the key stays in the
metadata returned with results and is left out of the filters, with a warning
naming where it came from. The kinds a filter needs: `publication` a string,
`date` a string in a form `parse_date` reads, `page` a string or an integer,
and a key made of letters, digits and `_` (other keys, and lists or objects
under any key, are returned with results only, without a warning).
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Iterable

from indexer.normalise import normalise_text
from indexer.schema import META_PREFIX

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD = re.compile(r"\{([^{}]*)\}")
_JSON_KINDS = {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number",
               str: "a string"}


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


def _kind(value: Any) -> str:
    return _JSON_KINDS.get(type(value), type(value).__name__)


def _kind_problem(key: str, value: Any) -> str | None:
    """Why a filter cannot use `value` under a key that needs a kind of value, if it cannot."""
    if key == "publication" and not (isinstance(value, str) and value.strip()):
        return f"'publication' is {_kind(value)} {value!r:.40}, not a name; left out of publication filters"
    if key == "date":
        if not isinstance(value, str):
            return (f"'date' is {_kind(value)} {value!r:.40}, not a date string like 2025-12-07; "
                    "left out of date filters")
        try:
            parse_date(value)
        except MetadataError:
            return f"'date' {value!r:.40} is not a date (YYYY-MM-DD); left out of date filters"
    if key == "page" and (isinstance(value, bool) or not isinstance(value, (str, int))):
        return f"'page' is {_kind(value)} {value!r:.40}, not a page name or number; left out of filters"
    return None


def _checked_terms(metadata: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The index terms of `metadata`, and one line for each value left out of them."""
    terms: dict[str, str] = {}
    problems = []
    for key, value in metadata.items():
        if value is None:
            continue
        problem = _kind_problem(key, value)
        if problem:
            problems.append(problem)
            continue
        if isinstance(value, (dict, list)):
            continue
        if key == "publication":
            terms["publication"] = filter_value(value)
        elif key == "date":
            terms["date"] = parse_date(value)
        field = meta_field(key)
        if field:
            terms[field] = filter_value(value)
        else:
            problems.append(f"key {key!r:.40} is not filterable (letters, digits and _ only); "
                            "returned with results only")
    return terms, problems


def index_terms(metadata: dict[str, Any]) -> dict[str, str]:
    """Index fields for a source's metadata: publication, date and one meta_ field per scalar key.

    A value of the wrong kind, or a date that cannot be parsed, is left out
    (it stays in the returned metadata) rather than failing the whole file.
    """
    return _checked_terms(metadata)[0]


def metadata_problems(metadata: dict[str, Any]) -> list[str]:
    """One line for each value in `metadata` that `index_terms` leaves out, saying why."""
    return _checked_terms(metadata)[1]


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """KEY=VALUE settings (`corpus index --set`) as metadata; raises MetadataError for a bad one."""
    settings: dict[str, str] = {}
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        if not equals:
            raise MetadataError(f"--set takes KEY=VALUE, not {assignment!r}")
        if key.strip() in settings:
            raise MetadataError(f"--set {key.strip()} is given twice")
        settings[key.strip()] = value.strip()
    return check_settings(settings)


def check_settings(settings: dict[str, str]) -> dict[str, str]:
    """`settings` if every key can be filtered on and every value can be (a date, under `date`); raises
    MetadataError naming the first that cannot."""
    for key, value in settings.items():
        if meta_field(key) is None:
            raise MetadataError(f"--set {key}={value}: {key!r} is not a metadata key (letters, digits and _)")
        if not isinstance(value, str) or not value.strip():
            raise MetadataError(f"--set {key}: the value must be a non-empty string")
        if key == "date":
            try:
                parse_date(value)
            except MetadataError as exc:
                raise MetadataError(f"--set {key}={value}: {exc}") from None
    return settings


class PathTemplate:
    """Metadata read from a page's path below the directory given, e.g. '{publication}/{date}/p{page}'.

    Each `/`-separated part of the template matches one part of the path, the
    last without the file's suffix; `{key}` matches one or more characters of
    its part and literal text matches itself. A path fits only when it has as
    many parts, splits one way only, and its {date}, if any, is a date: no
    value is guessed from a path that does not fit.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        parts = template.split("/")
        if any(not part for part in parts):
            raise MetadataError(f"--meta-from-path {template!r}: empty part between slashes")
        self.fields: list[str] = []
        greedy, lazy = [], []
        for part in parts:
            pieces = self._pieces(part)
            greedy.append("".join(re.escape(p) if literal else f"(?P<{p}>[^/]+)" for literal, p in pieces))
            lazy.append("".join(re.escape(p) if literal else f"(?P<{p}>[^/]+?)" for literal, p in pieces))
        if not self.fields:
            raise MetadataError(f"--meta-from-path {template!r}: no {{key}} fields")
        self._greedy = re.compile("/".join(greedy))
        self._lazy = re.compile("/".join(lazy))

    def _pieces(self, part: str) -> list[tuple[bool, str]]:
        """A template part as (is_literal, text or key) pieces; raises MetadataError if malformed."""
        pieces: list[tuple[bool, str]] = []
        position = 0
        for match in _FIELD.finditer(part):
            literal = part[position:match.start()]
            self._check_literal(literal)
            if literal:
                pieces.append((True, literal))
            elif pieces and not pieces[-1][0]:
                raise MetadataError(f"--meta-from-path {self.template!r}: {{{pieces[-1][1]}}} and "
                                    f"{{{match.group(1)}}} need text between them")
            pieces.append((False, self._check_key(match.group(1))))
            position = match.end()
        self._check_literal(part[position:])
        if part[position:]:
            pieces.append((True, part[position:]))
        return pieces

    def _check_literal(self, literal: str) -> None:
        if "{" in literal or "}" in literal:
            raise MetadataError(f"--meta-from-path {self.template!r}: unbalanced {'{' if '{' in literal else '}'}")

    def _check_key(self, key: str) -> str:
        if not key:
            raise MetadataError(f"--meta-from-path {self.template!r}: empty field {{}}")
        if not _KEY.match(key):
            raise MetadataError(f"--meta-from-path {self.template!r}: {{{key}}} is not a metadata key "
                                "(lower-case letters, digits and _)")
        if key in self.fields:
            raise MetadataError(f"--meta-from-path {self.template!r}: {{{key}}} appears twice")
        self.fields.append(key)
        return key

    def match(self, relative: str) -> dict[str, str]:
        """The metadata in `relative` (a path below the directory given); raises MetadataError, naming what
        does not fit, when it does not."""
        path = PurePosixPath(relative)
        subject = path.with_suffix("").as_posix() if path.suffix else path.as_posix()
        greedy, lazy = self._greedy.fullmatch(subject), self._lazy.fullmatch(subject)
        if not greedy or not lazy:
            expected, found = self.template.count("/") + 1, len(path.parts)
            shape = (f"the path has {found} parts, the template {expected}" if expected != found
                     else "its parts do not match the template's")
            raise MetadataError(f"path does not fit --meta-from-path {self.template!r} ({shape})")
        values = greedy.groupdict()
        if values != lazy.groupdict():
            key = next(k for k in self.fields if values[k] != lazy.group(k))
            raise MetadataError(f"path does not fit --meta-from-path {self.template!r} (ambiguous: {{{key}}} could be "
                                f"{lazy.group(key)!r} or {values[key]!r})")
        if "date" in values:
            try:
                parse_date(values["date"])
            except MetadataError:
                raise MetadataError(f"path does not fit --meta-from-path {self.template!r} "
                                    f"({{date}} is {values['date']!r}, not a date)") from None
        return values


def given_metadata(relative: str, template: PathTemplate | None,
                   settings: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """A page's metadata before its sidecar: from its path (if it fits `template`) under `settings`, and
    a line saying why its path did not fit, if it did not."""
    from_path: dict[str, Any] = {}
    warnings = []
    if template is not None:
        try:
            from_path = template.match(relative)
        except MetadataError as exc:
            warnings.append(f"{exc}; indexed without metadata from its path")
    return {**from_path, **settings}, warnings

"""Bibliography entries from front matter.

An entry may be written as:

* the sample's ``{title, link}`` mapping;
* a plain string, shown as written;
* a richer mapping: ``author``/``authors``, ``year`` or ``date``, ``publisher``/``journal``,
  ``doi``, ``url``, ``accessed``, ``note``;
* a citation key (``"@key"`` or ``{key: ...}``) that refers to a shared bibliography file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .links import EXPECTED as LINK_EXPECTED
from .links import safe_url
from .problems import Problems

_MAPPING_FIELDS = frozenset({
    "title", "link", "url", "author", "authors", "year", "date", "publisher", "journal",
    "doi", "accessed", "note", "key", "id",
})


@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliography entry, with every link already checked."""

    title: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    year: str | None = None
    container: str | None = None
    """Journal or publisher."""
    doi: str | None = None
    accessed: str | None = None
    note: str | None = None
    key: str | None = None
    """Citation key, when the entry can be cited as ``[@key]``."""
    text: str | None = None
    """A plain-string entry, shown as written."""

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def link(self) -> str | None:
        return self.url or self.doi_url

    @property
    def is_key_only(self) -> bool:
        """A reference to a shared bibliography entry that still has to be looked up."""
        return self.key is not None and not any(
            (self.title, self.url, self.authors, self.text, self.doi, self.container))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _parse_mapping(entry: dict[Any, Any], field: str, problems: Problems) -> Reference | None:
    unknown = [k for k in entry if k not in _MAPPING_FIELDS]
    for k in unknown:
        problems.add(field, k, "an entry field: " + ", ".join(sorted(_MAPPING_FIELDS)))
    raw_authors = entry.get("authors", entry.get("author"))
    if isinstance(raw_authors, list):
        authors = tuple(a for a in (_text(x) for x in raw_authors) if a)
    elif _text(raw_authors):
        authors = (_text(raw_authors),)  # type: ignore[assignment]
    else:
        authors = ()
    url = None
    for link_field in ("url", "link"):
        raw = entry.get(link_field)
        if raw is None:
            continue
        url = safe_url(raw)
        if url is None:
            problems.add(f"{field}.{link_field}", raw, LINK_EXPECTED)
        break
    doi = _text(entry.get("doi"))
    if doi:
        doi = doi.removeprefix("https://doi.org/").removeprefix("http://dx.doi.org/")
        doi = doi.removeprefix("doi:")
    year = entry.get("year", entry.get("date"))
    key = _text(entry.get("key", entry.get("id")))
    ref = Reference(
        title=_text(entry.get("title")),
        url=url,
        authors=authors,
        year=_text(year),
        container=_text(entry.get("journal", entry.get("publisher"))),
        doi=doi,
        accessed=_text(entry.get("accessed")),
        note=_text(entry.get("note")),
        key=key,
    )
    if not (ref.title or ref.url or ref.authors or ref.doi or ref.key or ref.note):
        problems.add(field, entry, "an entry with at least a title, link, doi or key")
        return None
    return ref


def parse_bibliography(value: Any, problems: Problems, field: str = "bibliography") -> tuple[Reference, ...]:
    """The valid entries of a ``bibliography`` value; each invalid one becomes a problem."""
    if value is None:
        return ()
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        problems.add(field, value, "a list of entries")
        return ()
    refs: list[Reference] = []
    for i, entry in enumerate(value):
        where = f"{field}[{i}]"
        if isinstance(entry, str) and entry.strip():
            text = entry.strip()
            if text.startswith("@") and " " not in text:
                refs.append(Reference(key=text[1:]))
            else:
                refs.append(Reference(text=text))
        elif isinstance(entry, dict):
            ref = _parse_mapping(entry, where, problems)
            if ref is not None:
                refs.append(ref)
        else:
            problems.add(where, entry, "a string or a mapping with title and link")
    return tuple(refs)

"""Bibliography entries: the :class:`Reference` model and the front-matter parser.

An entry in a page's ``bibliography`` list may be written as:

* the sample's ``{title, link}`` mapping;
* a plain string, shown as written (a bare ``https://`` address becomes a link);
* a richer mapping: ``author``/``authors``, ``year`` or ``date``, ``journal``, ``publisher``,
  ``volume``, ``issue``, ``pages``, ``doi``, ``url``/``link``, ``accessed``, ``note`` (and an
  optional ``key``, so that the text can cite it as ``[@key]``);
* a citation key — ``"@key"`` or ``{key: key}`` — naming an entry of a shared bibliography
  file (see :mod:`.bibfiles`); it is looked up when the page is rendered.

Links are checked here, once: a :class:`Reference` only ever holds an allowed link.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import date
from json.encoder import encode_basestring as _json_string  # as json.dumps(ensure_ascii=False) writes a str
from typing import Any, NamedTuple
from urllib.parse import quote

from .links import EXPECTED as LINK_EXPECTED
from .links import safe_url
from .problems import Problems

ENTRY_FIELDS = (
    "title", "link", "url", "author", "authors", "year", "date", "journal", "publisher",
    "volume", "issue", "pages", "doi", "accessed", "note", "key", "id",
)
"""Every field a mapping entry may have (``id`` is CSL's name for ``key``)."""

_FIELD_SET = frozenset(ENTRY_FIELDS)

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
DOI_EXPECTED = "a DOI such as 10.1000/182"

_KEY_RE = re.compile(r"^[\w][\w:.#$%&+?<>~/\-]*$")
KEY_EXPECTED = "a citation key of letters, digits and _:.#$%&+?<>~/- (such as smith2020)"


class Reference(NamedTuple):
    """One bibliography entry, with every link already checked.

    A named tuple: immutable, compared by value, and made three times faster than a frozen
    dataclass (a build makes one per entry of every page). The derived texts (``link``,
    ``author_text``, ...) are computed when asked for, not kept: the plugin keeps every page's
    entries until the build ends, and a cache on each would be a dictionary per entry (about
    650 bytes) for texts that take a microsecond to make.
    """

    title: str | None = None
    url: str | None = None
    """An allowed link (http, https, mailto or relative), or none."""
    authors: tuple[str, ...] = ()
    issued: str | None = None
    """The year or the date of publication, as written."""
    journal: str | None = None
    """The journal, book or website the work appeared in."""
    publisher: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    """A bare DOI (``10.1000/182``), without resolver prefix."""
    accessed: str | None = None
    note: str | None = None
    key: str | None = None
    """Citation key, when the entry can be cited as ``[@key]``."""
    text: str | None = None
    """A plain-string entry, shown as written."""

    @property
    def doi_url(self) -> str | None:
        """The DOI as an https://doi.org/ link."""
        return _doi_url(self.doi) if self.doi else None

    @property
    def link(self) -> str | None:
        """Where the title links to: the entry's own link, else its DOI."""
        return self.url or self.doi_url

    @property
    def is_key_only(self) -> bool:
        """A reference to a shared bibliography entry that still has to be looked up."""
        return self.key is not None and not any((
            self.title, self.url, self.authors, self.text, self.doi, self.journal,
            self.publisher, self.note, self.issued,
        ))

    @property
    def author_text(self) -> str:
        """``A``, ``A & B`` or ``A, B & C``."""
        if len(self.authors) < 2:
            return "".join(self.authors)
        if self.authors[-1] == "et al.":
            return ", ".join(self.authors[:-1]) + " et al."
        return ", ".join(self.authors[:-1]) + " & " + self.authors[-1]

    @property
    def author_text_ends_with_period(self) -> bool:
        """Whether :attr:`author_text` ends in ``.`` (as ``A et al.`` does): it ends with the last name."""
        return self.authors[-1].endswith(".") if self.authors else False

    @property
    def title_ends_sentence(self) -> bool:
        """Whether the title shown (the title, else :attr:`link`) ends in ``.``, ``?`` or ``!``."""
        return (self.title or self.link or "")[-1:] in (".", "?", "!")

    @property
    def source_text(self) -> str:
        """Where it appeared: ``Journal 12(3): 45–67``; empty when unknown."""
        text = self.journal or ""
        if self.volume:
            text += f" {self.volume}" if text else self.volume
        if self.issue:
            text += f"({self.issue})"
        if self.pages:
            text += f": {self.pages}" if text else self.pages
        return text

    @property
    def label(self) -> str:
        """A one-line description (for tooltips and warnings)."""
        if self.text:
            return self.text
        parts = [p for p in (self.author_text, f"({self.issued})" if self.issued else "") if p]
        head = " ".join(parts)
        title = self.title or self.link or self.key or ""
        return f"{head}: {title}" if head and title else head or title

    @property
    def identity(self) -> tuple[str, ...] | None:
        """What makes two entries the same one: their key, else their title and link."""
        if self.key:
            return ("key", self.key)
        if self.text:
            return ("text", self.text.casefold())
        if self.title or self.link:
            return ("title+link", (self.title or "").casefold(), self.link or "")
        return None


def text_value(value: Any) -> str | None:
    """A scalar as stripped text; dates in ISO form; ``None`` for nothing or a container."""
    if value is None or isinstance(value, (dict, list, tuple, bool)):
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text or None


_DOI_URL_SAFE = "/:;()"
_DOI_URL_AS_IS_RE = re.compile(r"[A-Za-z0-9_.\-~" + re.escape(_DOI_URL_SAFE) + "]*")
"""A DOI that ``quote`` leaves as it is: letters, digits, ``_.-~`` and the characters kept safe."""


def _doi_url(doi: str) -> str:
    """A bare DOI as an https://doi.org/ link."""
    if _DOI_URL_AS_IS_RE.fullmatch(doi):  # most are: no need for quote's slower work
        return "https://doi.org/" + doi
    return "https://doi.org/" + quote(doi, safe=_DOI_URL_SAFE)


def normalize_doi(raw: str) -> str | None:
    """The bare DOI in ``raw`` (resolver prefixes removed), or ``None`` if it is not one."""
    doi = raw.strip()
    if doi.startswith("10."):  # the usual bare DOI: no resolver prefix to look for
        return doi if _DOI_RE.match(doi) else None
    lowered = doi.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            doi = doi[len(prefix):].strip()
            break
    return doi if _DOI_RE.match(doi) else None


def is_valid_key(key: str) -> bool:
    return bool(_KEY_RE.match(key))


def split_authors(value: Any) -> tuple[str, ...]:
    """Names from a string (``"A and B"``), a list of strings, or ``{given, family}`` mappings."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = re.split(r"\s+and\s+", value.strip())
    if not isinstance(value, list):
        name = text_value(value)
        return (name,) if name else ()
    names: list[str] = []
    for item in value:
        if type(item) is str:
            name = item.strip() or None
        elif isinstance(item, Mapping):
            name = text_value(item.get("literal") or item.get("name")) or " ".join(
                p for p in (text_value(item.get("given")), text_value(item.get("family"))) if p)
        else:
            name = text_value(item)
        if name:
            names.append("et al." if name.lower() in ("others", "et al", "et al.") else name)
    return tuple(names)


def parse_entry(entry: Any, field: str, problems: Problems) -> Reference | None:
    """One entry of a ``bibliography`` list; ``None`` (and a problem) when it is unusable."""
    if isinstance(entry, dict):
        return _parse_mapping(entry, field, problems)
    if isinstance(entry, str):
        text = entry.strip()
        if not text:
            problems.add(field, entry, "a non-empty entry")
            return None
        if text.startswith("@") and not any(c.isspace() for c in text):
            if not is_valid_key(text[1:]):
                problems.add(field, entry, KEY_EXPECTED)
                return None
            return Reference(key=text[1:])
        if text.startswith(("https://", "http://")) and not any(c.isspace() for c in text):
            url = safe_url(text)
            if url:
                return Reference(title=text, url=url)
        return Reference(text=text)
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        return Reference(text=str(entry))
    if isinstance(entry, Mapping):
        return _parse_mapping(entry, field, problems)
    problems.add(field, entry, "a string, \"@key\", or a mapping with title and link")
    return None


_TEXT_FIELDS = ("title", "year", "date", "journal", "publisher", "volume", "issue", "pages",
                "accessed", "note", "key", "id", "doi")
"""The entry fields that hold text (in the order their problems are reported)."""
_TEXT_FIELD_SET = frozenset(_TEXT_FIELDS)


@functools.lru_cache(maxsize=1024)
def _number_text(value: int) -> str:
    """A number as text, one string per number: years repeat across a site's entries, which
    are kept until their pages are written."""
    return str(value)


def _parse_mapping(entry: Mapping[Any, Any], field: str, problems: Problems) -> Reference | None:
    if not entry.keys() <= _FIELD_SET:
        for k in entry:
            if k not in _FIELD_SET:
                problems.add(f"{field}.{k}", entry[k], "one of the entry fields " + ", ".join(ENTRY_FIELDS))
    text: dict[str, str | None] = {}  # each text field given, as text (None for nothing or a container)
    containers = False
    for name, value in entry.items():
        if name in _TEXT_FIELD_SET:
            if type(value) is str:
                text[name] = value.strip() or None
            elif type(value) is int:  # a year
                text[name] = _number_text(value)
            else:
                text[name] = text_value(value)
                containers = containers or isinstance(value, (dict, list, bool))
    if containers:
        for name in _TEXT_FIELDS:
            value = entry.get(name)
            if isinstance(value, (dict, list, bool)):
                problems.add(f"{field}.{name}", value, "text")

    url = None
    link_field = "link" if entry.get("link") is not None else "url"
    raw_link = entry.get(link_field)
    if raw_link is not None:
        url = safe_url(raw_link)
        if url is None:
            problems.add(f"{field}.{link_field}", raw_link, LINK_EXPECTED + "; the entry is shown without it")

    doi = None
    get = text.get
    raw_doi = get("doi")
    if raw_doi:
        doi = normalize_doi(raw_doi)
        if doi is None:
            problems.add(f"{field}.doi", raw_doi, DOI_EXPECTED)

    key = get("key", get("id"))
    if key is not None and not is_valid_key(key.removeprefix("@")):
        problems.add(f"{field}.key", key, KEY_EXPECTED)
        key = None
    key = key.removeprefix("@") if key else None
    title = get("title")
    if not (key or title or url or doi):  # nothing to show it by, nor to tell it from others
        if raw_link is None and raw_doi is None:
            problems.add(field, dict(entry), "an entry with at least a title, link, doi or key")
            return None
        # Only a rejected link or DOI: keep it visible as text rather than losing the entry.
        return Reference(text=text_value(raw_link) or raw_doi)
    authors = split_authors(entry.get("authors", entry.get("author")))
    # The fields in Reference's order, positionally: keywords make it take twice as long.
    return Reference(title, url, authors, get("date", get("year")), get("journal"), get("publisher"),
                     get("volume"), get("issue"), get("pages"), doi, get("accessed"), get("note"), key)


def parse_bibliography(value: Any, problems: Problems, field: str = "bibliography") -> tuple[Reference, ...]:
    """The usable entries of a ``bibliography`` value; every invalid one becomes a problem.

    Duplicates (the same key, or the same title and link) are reported and kept, so the
    list still shows what the author wrote.
    """
    if value is None:
        return ()
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, list):
        problems.add(field, value, "a list of entries")
        return ()
    refs: list[Reference] = []
    seen: dict[tuple[str, ...], int] = {}
    for i, entry in enumerate(value):
        where = f"{field}[{i}]"
        ref = parse_entry(entry, where, problems)
        if ref is None:
            continue
        identity = ref.identity
        if identity is not None:
            if identity in seen:
                problems.add(where, entry, f"a new entry, not a duplicate of {field}[{seen[identity]}]")
            else:
                seen[identity] = i
        refs.append(ref)
    return tuple(refs)


def schema_org_json(ref: Reference) -> str:
    """The entry as a schema.org ``CreativeWork`` in JSON (a JSON string for a plain-string entry).

    Written directly, each value encoded as ``json`` encodes strings: going through
    dictionaries and ``json.JSONEncoder`` costs several times more for these few flat fields.
    """
    if ref.text:
        return _json_string(ref.text)
    work = '{"@type":"ScholarlyArticle"' if ref.journal else '{"@type":"CreativeWork"'
    if ref.title:
        work += ',"name":' + _json_string(ref.title)
    if ref.authors:
        people = ['{"@type":"Person","name":' + _json_string(name) + "}" for name in ref.authors if name != "et al."]
        work += ',"author":[' + ",".join(people) + "]"
    if ref.issued:
        work += ',"datePublished":' + _json_string(ref.issued)
    if ref.journal:
        work += ',"isPartOf":{"@type":"Periodical","name":' + _json_string(ref.journal) + "}"
    if ref.publisher:
        work += ',"publisher":{"@type":"Organization","name":' + _json_string(ref.publisher) + "}"
    if ref.pages:
        work += ',"pagination":' + _json_string(ref.pages)
    if ref.url:
        work += ',"url":' + _json_string(ref.url)
    if ref.doi:
        work += (',"identifier":{"@type":"PropertyValue","propertyID":"DOI","value":' + _json_string(ref.doi)
                 + '},"sameAs":' + _json_string(_doi_url(ref.doi)))
    return work + "}"


def json_ld(headline: str | None, references: Sequence[Reference]) -> str:
    """A schema.org ``Article`` with its ``citation`` list, as JSON safe inside ``<script>``.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no value can close the script
    element or open a comment, and the result is still the same JSON.
    """
    article = '{"@context":"https://schema.org","@type":"Article"'
    if headline:
        article += ',"headline":' + _json_string(headline)
    return _script_safe(article + ',"citation":[' + ",".join([schema_org_json(ref) for ref in references]) + "]}")


_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _script_safe(json_text: str) -> str:
    for char, escape in _SCRIPT_ESCAPES:
        if char in json_text:  # a quick scan; replace() counts every character even when none is there
            json_text = json_text.replace(char, escape)
    return json_text

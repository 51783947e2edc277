"""Shared bibliography files: BibTeX (``.bib``, read with pybtex) and CSL-JSON (``.json``).

A :class:`BibliographyFiles` keeps every file it has read together with the file's
modification time and size, so a file is parsed once per build and, while it does not
change, not again on the next ``serve`` rebuild. Entries are turned into
:class:`~.bibliography.Reference` objects only when a page asks for them.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .bibliography import (
    DOI_EXPECTED,
    Reference,
    normalize_doi,
    split_authors,
    text_value,
)
from .links import EXPECTED as LINK_EXPECTED
from .links import safe_url

SUPPORTED_SUFFIXES = (".bib", ".bibtex", ".json")


@dataclass
class ParsedFile:
    """One file's entries by key, converted on first use."""

    path: str
    fingerprint: tuple[int, int]
    raw: Mapping[str, Any]
    convert: Callable[[str, Any, list[str]], Reference]
    problems: list[str] = field(default_factory=list)
    _converted: dict[str, Reference] = field(default_factory=dict)

    def get(self, key: str) -> Reference | None:
        ref = self._converted.get(key)
        if ref is None:
            raw = self.raw.get(key)
            if raw is None:
                return None
            messages: list[str] = []
            ref = self.convert(key, raw, messages)
            self.problems.extend(f"{self.path}: {m}" for m in messages)
            self._converted[key] = ref
        return ref


class Library:
    """The entries of all configured files, looked up by citation key (the first file wins).

    Files are parsed on the first lookup, so a build that cites nothing parses nothing.
    """

    def __init__(self, load: Callable[[list[str]], list[ParsedFile]], problems: list[str],
                 version: tuple[Any, ...] = ()) -> None:
        self._load: Callable[[list[str]], list[ParsedFile]] | None = load
        self._files: list[ParsedFile] = []
        self.problems = problems
        """Problems found so far: missing or unreadable files, duplicate keys, bad links."""
        self.version = version
        """Each file's path, modification time and size: two libraries with the same version
        hold the same entries (a file is parsed again when these change)."""

    @property
    def files(self) -> list[ParsedFile]:
        if self._load is not None:
            load, self._load = self._load, None
            self._files = load(self.problems)
        return self._files

    def get(self, key: str) -> Reference | None:
        for parsed in self.files:
            ref = parsed.get(key)
            if ref is not None:
                return ref
        return None

    def take_problems(self) -> list[str]:
        """Problems not reported yet (each is returned once)."""
        found = list(self.problems)
        self.problems.clear()
        for parsed in self._files:
            found.extend(parsed.problems)
            parsed.problems.clear()
        return found


class BibliographyFiles:
    """Reads shared bibliography files, each once for as long as it is unchanged."""

    def __init__(self) -> None:
        self._cache: dict[str, ParsedFile] = {}
        self.parse_count = 0
        """How many times a file was actually parsed (for tests and the benchmark)."""

    def library(self, paths: Sequence[str]) -> Library:
        """The files at ``paths`` (absolute), checked for existence now and parsed when first used."""
        problems = []
        present = []
        version = []
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                problems.append(f"bibliography file {path!r} was not found; expected a BibTeX (.bib) "
                                "or CSL-JSON (.json) file")
                continue
            present.append(path)
            version.append((path, st.st_mtime_ns, st.st_size))
        for gone in self._cache.keys() - set(present):
            del self._cache[gone]

        def load(found: list[str]) -> list[ParsedFile]:
            files = [parsed for parsed in (self._parsed(p, found) for p in present) if parsed is not None]
            self._report_duplicate_keys(files, found)
            return files

        return Library(load, problems, tuple(version))

    def _parsed(self, path: str, problems: list[str]) -> ParsedFile | None:
        try:
            st = os.stat(path)
        except OSError as e:
            problems.append(f"bibliography file {path!r} could not be read: {e}")
            return None
        fingerprint = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in SUPPORTED_SUFFIXES:
            problems.append(f"bibliography file {path!r} is neither BibTeX (.bib) nor CSL-JSON (.json)")
            return None
        try:
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            problems.append(f"bibliography file {path!r} could not be read: {e}")
            return None
        self.parse_count += 1
        file_problems: list[str] = []
        convert: Callable[[str, Any, list[str]], Reference]
        if suffix == ".json":
            raw, convert = parse_csl_json(text, file_problems), csl_reference
        else:
            raw, convert = parse_bibtex(text, file_problems), bibtex_reference
        problems.extend(f"{path}: {m}" for m in file_problems)
        parsed = ParsedFile(path, fingerprint, raw, convert)
        self._cache[path] = parsed
        return parsed

    @staticmethod
    def _report_duplicate_keys(files: Iterable[ParsedFile], problems: list[str]) -> None:
        first: dict[str, str] = {}
        for parsed in files:
            for key in parsed.raw:
                if key in first:
                    problems.append(f"{parsed.path}: key {key!r} is also in {first[key]}; "
                                    f"expected each key once (the entry in {first[key]} is used)")
                else:
                    first[key] = parsed.path


# -- BibTeX --------------------------------------------------------------------------------

def parse_bibtex(text: str, problems: list[str]) -> dict[str, Any]:
    """pybtex entries by key; syntax errors and duplicate keys become problems."""
    import pybtex.errors
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexSyntaxError

    with pybtex.errors.capture() as errors:
        try:
            data = parse_string(text, "bibtex")
        except PybtexSyntaxError as e:
            problems.append(f"is not valid BibTeX: {e}")
            return {}
    for error in errors:
        problems.append(f"{error}; expected valid BibTeX, the first entry of each key is used")
    return dict(data.entries.items())


_LATEX_COMMAND_RE = re.compile(r"\\[a-zA-Z]+\*?\s*")
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a",
}
_ACCENT_RE = re.compile(
    r"""\\(?:(["'`^~=.])\s*|([uvHckr])(?:\s+|(?=\{)))"""   # \"u, \' e, \v{c}, \c c
    r"""(?:\{\s*\\?([a-zA-Z])\s*\}|\\?([a-zA-Z]))"""        # the letter, maybe braced or \i
)
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "&": "&", "%": "%", "$": "$", "_": "_", "#": "#",
    "{": "\x00", "}": "\x01", " ": " ",
}
_SYMBOL_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![a-zA-Z])\s?|\\([&%$_#{} ])")


def _accented(m: re.Match[str]) -> str:
    accent = _ACCENTS[m.group(1) or m.group(2)]
    letter = m.group(3) or m.group(4)
    return unicodedata.normalize("NFC", letter + accent)


def latex_to_text(value: str) -> str:
    """Plain Unicode text for a BibTeX field: accents and symbols decoded, braces dropped.

    The common commands are decoded here (pybtex's own LaTeX reader looks its plugins up
    on every call and costs milliseconds a field); anything else goes through latexcodec
    and pybtex's LaTeX parser; formatting commands (``\\emph``) are dropped, keeping their text.
    """
    text = value
    if "\\" in text:
        text = _ACCENT_RE.sub(_accented, text)
        text = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1) or m.group(2)], text)
        text = _LATEX_COMMAND_RE.sub(_known_command_or_keep, text)
        if "\\" in text:
            text = _pybtex_latex_to_text(text)
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    text = text.replace("\x00", "{").replace("\x01", "}")
    if "-" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "~" in text:
        text = text.replace("~", "\u00a0")
    return " ".join(text.split())


_FORMATTING = frozenset({"emph", "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textup",
                         "textnormal", "mbox", "url", "it", "bf", "em", "sc", "tt", "rm", "sf", "relax",
                         "noopsort", "nocase"})


def _known_command_or_keep(m: re.Match[str]) -> str:
    name = m.group().strip()[1:].rstrip("*")
    return "" if name in _FORMATTING else m.group()


def _pybtex_latex_to_text(value: str) -> str:
    import codecs

    import latexcodec  # noqa: F401 - registers the "ulatex" codec
    from pybtex.markup import LaTeXParser

    try:
        text = str(LaTeXParser(codecs.decode(value, "ulatex")).parse())  # type: ignore[call-overload]
    except Exception:  # noqa: BLE001 - odd LaTeX: keep the source, minus the markup
        text = value
    return _LATEX_COMMAND_RE.sub("", text)


def _person_name(person: Any) -> str:
    parts = [*person.first_names, *person.middle_names, *person.prelast_names, *person.last_names]
    name = " ".join(latex_to_text(p) for p in parts if p)
    if person.lineage_names:
        name += ", " + " ".join(latex_to_text(p) for p in person.lineage_names)
    return name


def bibtex_reference(key: str, entry: Any, problems: list[str]) -> Reference:
    # pybtex's case-insensitive mapping is slow to query; one plain dict is not.
    fields = {name.lower(): value for name, value in entry.fields.items()}

    def get(*names: str) -> str | None:
        for name in names:
            value = fields.get(name)
            if value:
                return latex_to_text(value)
        return None

    persons = entry.persons
    people = persons.get("author") or persons.get("editor") or [] if persons else []
    names = [_person_name(p) for p in people]
    authors = tuple("et al." if name.lower() == "others" else name for name in names)
    return _checked(
        key, problems,
        title=get("title"),
        url=fields.get("url"),
        authors=authors,
        issued=get("date", "year"),
        journal=get("journal", "journaltitle", "booktitle"),
        publisher=get("publisher", "institution", "school", "organization"),
        volume=get("volume"),
        issue=get("number", "issue"),
        pages=get("pages"),
        doi=fields.get("doi"),
        accessed=get("urldate"),
        note=get("note"),
    )


# -- CSL-JSON ------------------------------------------------------------------------------

def parse_csl_json(text: str, problems: list[str]) -> dict[str, Any]:
    """CSL-JSON items by ``id``; a file that is not a list of items becomes a problem."""
    try:
        data = json.loads(text)
    except ValueError as e:
        problems.append(f"is not valid JSON: {e}")
        return {}
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        problems.append("is not CSL-JSON; expected a list of items, each with an \"id\"")
        return {}
    items: dict[str, Any] = {}
    for i, item in enumerate(data):
        key = text_value(item.get("id")) if isinstance(item, dict) else None
        if key is None:
            problems.append(f"item {i} has no \"id\"; expected CSL-JSON items with an id")
        elif key in items:
            problems.append(f"key {key!r} appears more than once; expected each id once (the first is used)")
        else:
            items[key] = item
    return items


def _csl_date(value: Any) -> str | None:
    if isinstance(value, Mapping):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            numbers = [str(p) for p in parts[0][:3]]
            return "-".join([numbers[0], *(n.zfill(2) for n in numbers[1:])])
        return text_value(value.get("literal") or value.get("raw"))
    return text_value(value)


def csl_reference(key: str, item: Mapping[str, Any], problems: list[str]) -> Reference:
    authors = split_authors(item.get("author") or item.get("editor") or [])
    return _checked(
        key, problems,
        title=text_value(item.get("title")),
        url=text_value(item.get("URL")),
        authors=authors,
        issued=_csl_date(item.get("issued")),
        journal=text_value(item.get("container-title")),
        publisher=text_value(item.get("publisher")),
        volume=text_value(item.get("volume")),
        issue=text_value(item.get("issue")),
        pages=(text_value(item.get("page")) or "").replace("--", "\u2013").replace("-", "\u2013") or None,
        doi=text_value(item.get("DOI")),
        accessed=_csl_date(item.get("accessed")),
        note=text_value(item.get("note")),
    )


def _checked(key: str, problems: list[str], *, url: str | None, doi: str | None, **values: Any) -> Reference:
    safe = None
    if url:
        safe = safe_url(url)
        if safe is None:
            problems.append(f"entry {key!r} has link {url!r}; expected {LINK_EXPECTED}; it is shown without it")
    bare_doi = None
    if doi:
        bare_doi = normalize_doi(doi)
        if bare_doi is None:
            problems.append(f"entry {key!r} has doi {doi!r}; expected {DOI_EXPECTED}")
    return Reference(key=key, url=safe, doi=bare_doi, **values)

"""Bad front matter, one corpus file per class of mistake (tests/corpus/).

For every case: the build succeeds; the plugin logs exactly the warnings listed in
``EXPECTED`` (file, field, value and what was expected, compared as whole sentences);
``--strict`` then fails; the page keeps its body and no front-matter text leaks into it;
and every other page of the site is built as if the bad page were not there.

To add a case: drop ``<class-of-mistake>.md`` into tests/corpus/ with a body paragraph
"Body of the <class-of-mistake> essay survives." and list its warnings in ``EXPECTED``.
Cases that would be unwieldy as files (100 kB values) are made in ``GENERATED``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort

from conftest import SAMPLE_ESSAY, build_site

CORPUS = Path(__file__).parent / "corpus"

STATUS_TERMS = "one of Abandoned, Notes, Draft, In Progress, Finished, Obsolete"
CERTAINTY_TERMS = ("one of Certain, Almost Certain, Highly Likely, Likely, Possible, Unlikely, "
                   "Highly Unlikely, Remote, Impossible, Log, Emotional, Fiction")
IMPORTANCE_RANGE = "a whole number from 0 to 10"
A_DATE = "a date such as 2024-03-01, 2024-03-01 10:00 or 2024-03-01T10:00:00Z"
PERCENT = "a number from 0 to 100"
BOOLEAN = "true or false"
ONCE = "to appear once; the last value was used"
DROPPED = "the page was built without it"

EXPECTED: dict[str, list[str]] = {
    # -- wrong types, for every field --------------------------------------------------
    "wrong-type-lists.md": [
        "field 'title' has ['Two', 'titles']; expected a string",
        "field 'meta_title' has ['A', 'list']; expected a string",
        "field 'description' has ['First sentence.', 'Second sentence.']; expected a string",
        "field 'excerpt' has ['one', 'two']; expected a string",
        f"field 'publishdate' has [2024-03-01]; expected {A_DATE}",
        f"field 'lastmod' has [2024-03-24]; expected {A_DATE}",
        "field 'tags' has ['nested', 'list']; expected each item to be a string",
        "field 'categories' has ['deeper']; expected each item to be a string",
        f"field 'status' has ['draft', 'finished']; expected {STATUS_TERMS}",
        f"field 'certainty' has ['likely']; expected {CERTAINTY_TERMS}",
        f"field 'importance' has [8]; expected {IMPORTANCE_RANGE}",
        f"field 'is_post_complete' has [false]; expected {BOOLEAN}",
        f"field 'homepage_featured' has [true]; expected {BOOLEAN}",
        "field 'bibliography[0]' has ['Title of a source', 'https://example.com']; "
        'expected a string, "@key", or a mapping with title and link',
        f"field 'draft' has [false]; expected {BOOLEAN}",
    ],
    "wrong-type-mappings.md": [
        "field 'title' has {'text': 'A title'}; expected a string",
        "field 'meta_title' has {'text': 'A meta title'}; expected a string",
        "field 'description' has {'text': 'A description'}; expected a string",
        "field 'excerpt' has {'text': 'An excerpt'}; expected a string",
        "field 'publishdate' has {'when': 2024-03-01}; expected a date, or a mapping with created (and updated)",
        f"field 'lastmod' has {{'when': 2024-03-24}}; expected {A_DATE}",
        "field 'tags' has {'topic': 'gardening'}; expected a list of strings",
        "field 'categories' has {'kind': 'essays'}; expected a list of strings",
        "field 'status.state' has 'draft'; expected only 'value' and 'percentage' in the mapping",
        f"field 'status.value' has null; expected {STATUS_TERMS}",
        "field 'certainty.level' has 'likely'; expected only 'value' and 'percentage' in the mapping",
        f"field 'certainty.value' has null; expected {CERTAINTY_TERMS}",
        f"field 'importance' has {{'score': 8}}; expected {IMPORTANCE_RANGE}",
        f"field 'is_post_complete' has {{'done': false}}; expected {BOOLEAN}",
        f"field 'homepage_featured' has {{true: 'please'}}; expected {BOOLEAN}",
        "field 'bibliography[0].source' has 'somewhere'; expected one of the entry fields title, link, url, "
        "author, authors, year, date, journal, publisher, volume, issue, pages, doi, accessed, note, key, id",
        "field 'bibliography[0]' has {'source': 'somewhere'}; expected an entry with at least a title, link, doi or key",
        f"field 'draft' has {{'really': false}}; expected {BOOLEAN}",
    ],
    "wrong-type-scalars.md": [
        "field 'title' has false; expected a string (YAML reads a bare yes, no, on, off, true or false "
        "as true or false: put the text in quotes)",
        f"field 'publishdate' has 20240301; expected {A_DATE}",
        f"field 'lastmod' has 1.5; expected {A_DATE}",
        "field 'tags' has 7; expected a list of strings",
        "field 'categories' has true; expected a list of strings",
        f"field 'status' has 60; expected {STATUS_TERMS}",
        f"field 'certainty' has 0.5; expected {CERTAINTY_TERMS}",
        f"field 'importance' has true; expected {IMPORTANCE_RANGE}",
        f"field 'is_post_complete' has 2; expected {BOOLEAN}",
        f"field 'homepage_featured' has 'maybe'; expected {BOOLEAN}",
        "field 'bibliography' has 42; expected a list of entries",
        f"field 'draft' has 2024-03-01; expected {BOOLEAN}",
    ],
    # A null field is simply absent; a null inside a list or a rating is a mistake.
    "nulls.md": [
        "field 'tags' has null; expected each item to be a string",
        "field 'categories' has null; expected each item to be a string",
        f"field 'status.value' has null; expected {STATUS_TERMS}",
        'field \'bibliography[0]\' has null; expected a string, "@key", or a mapping with title and link',
    ],
    # -- numbers -----------------------------------------------------------------------
    "percentages-out-of-range.md": [
        f"field 'status.percentage' has 150; expected {PERCENT}",
        f"field 'certainty.percentage' has -5; expected {PERCENT}",
        f"field 'importance.percentage' has 100.5; expected {PERCENT}",
    ],
    "nan-and-huge-numbers.md": [
        f"field 'status.percentage' has .nan; expected {PERCENT}",
        f"field 'certainty.percentage' has -.inf; expected {PERCENT}",
        f"field 'importance' has 123456789012345678901234567890; expected {IMPORTANCE_RANGE}",
        f"field 'publishdate' has '99999999-01-01'; expected {A_DATE}",
        f"field 'lastmod' has 1e+308; expected {A_DATE}",
    ],
    # -- words and text ----------------------------------------------------------------
    "unknown-vocabulary.md": [
        f"field 'status' has 'half done'; expected {STATUS_TERMS}",
        f"field 'certainty' has 'maybe'; expected {CERTAINTY_TERMS}",
        f"field 'importance' has 'very'; expected {IMPORTANCE_RANGE}",
    ],
    "rating-mapping-extra-keys.md": [
        "field 'status.percent' has 20; expected only 'value' and 'percentage' in the mapping",
        f"field 'certainty.value' has null; expected {CERTAINTY_TERMS}",
        f"field 'importance' has 11; expected {IMPORTANCE_RANGE}",
    ],
    # Blank values are "not given", as in the user's own template (meta_title: "").
    "empty-strings.md": [],
    "unicode.md": [
        f"field 'status' has 'Ｆｉｎｉｓｈｅｄ'; expected {STATUS_TERMS}",
    ],
    # The invisible character is spelled out in the warning.
    "rtl-and-zero-width.md": [
        f"field 'status' has 'fin\\u200bished'; expected {STATUS_TERMS}",
    ],
    # -- dates -------------------------------------------------------------------------
    "impossible-dates.md": [
        "front matter is not valid YAML at line 3, column 14: '2024-02-30' is not a date that exists "
        f"(day is out of range for month); {DROPPED}",
    ],
    "dates-that-are-not-dates.md": [
        f"field 'publishdate' has '2024-13-01'; expected {A_DATE}",
        f"field 'lastmod' has 'yesterday'; expected {A_DATE}",
    ],
    "conflicting-dates-and-aliases.md": [
        "field 'date' has 2024-03-01; expected to be left out, as 'publishdate' is also given (it wins)",
        "field 'lastmod' has 2024-03-05; expected a date on or after publishdate (2024-03-10)",
    ],
    # -- YAML itself -------------------------------------------------------------------
    "tabs-in-yaml.md": [
        "front matter is not valid YAML at line 4, column 1: found character that cannot start any token "
        f"(a tab: YAML indents with spaces only); {DROPPED}",
    ],
    "yaml-syntax-error.md": [
        "front matter is not valid YAML at line 5, column 1: found unexpected end of stream "
        f"(while scanning a quoted scalar that starts at line 2, column 8); {DROPPED}",
    ],
    "duplicate-keys.md": [
        f"field 'status' has 'finished'; expected {ONCE}",
        f"field 'certainty' has {{'value': 'unlikely'}}; expected {ONCE}",
        f"field 'certainty.value' has 'unlikely'; expected {ONCE}",
    ],
    "yaml-python-tags.md": [
        "front matter is not valid YAML at line 2, column 8: could not determine a constructor for the tag "
        f"'tag:yaml.org,2002:python/object/apply:os.system'; {DROPPED}",
    ],
    "yaml-explicit-tags.md": [
        "front matter is not valid YAML at line 3, column 14: 'next spring' cannot be read as !!timestamp; "
        f"{DROPPED}",
    ],
    "front-matter-is-a-list.md": [
        "front matter is a list ([{'title': 'A list, not a mapping'}, {'status': 'draft'}]), "
        "not a mapping of fields such as 'title: ...'; it was ignored",
    ],
    "front-matter-is-a-scalar.md": [
        "front matter is a single value ('status draft, certainty likely'), "
        "not a mapping of fields such as 'title: ...'; it was ignored",
    ],
    # -- the block around it -----------------------------------------------------------
    "only-front-matter.md": [],
    "crlf-line-endings.md": [],
    "byte-order-mark.md": [],
    "unclosed-front-matter.md": [
        "front matter starts with --- but is never closed by a --- line; it was left out "
        "of the page up to its first blank line or first line that is not YAML",
    ],
    # MkDocs' pattern misses an empty block and shows two rules; it is simply no front matter.
    "empty-front-matter.md": [],
}

LONG = 100_000


def _very_long_strings() -> str:
    word = "gardens " * (LONG // 8)
    return (f"---\ntitle: \"{'T' * LONG}\"\ndescription: \"{word.strip()}\"\n"
            f"tags: [\"{'t' * LONG}\", short]\nstatus: \"{'x' * LONG}\"\ncertainty: likely\n---\n\n"
            "Body of the very-long-strings essay survives.\n")


GENERATED: dict[str, Callable[[], str]] = {
    "very-long-strings.md": _very_long_strings,
    "only-front-matter-no-final-newline.md": lambda: "---\ntitle: Closed on the last byte\nstatus: notes\n---",
}
EXPECTED["very-long-strings.md"] = [f"field 'status' has '{'x' * 78}…; expected {STATUS_TERMS}"]
EXPECTED["only-front-matter-no-final-newline.md"] = []

CASES = sorted(p.name for p in CORPUS.glob("*.md")) + sorted(GENERATED)

# What a valid essay elsewhere on the site shows; it must not change.
GOOD_ESSAY = "good.md"
# The sample essay with its second, duplicate source renamed (so the page has no warning of its own).
GOOD_SOURCE = SAMPLE_ESSAY[::-1].replace('"Title of the Source"'[::-1], '"A Second Source"'[::-1], 1)[::-1]


def source_of(name: str) -> str:
    if name in GENERATED:
        return GENERATED[name]()
    return (CORPUS / name).read_text(encoding="utf-8-sig")


def write_case(docs: Path, name: str) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    if name in GENERATED:
        (docs / name).write_text(GENERATED[name](), encoding="utf-8", newline="")
    else:
        shutil.copyfile(CORPUS / name, docs / name)  # byte for byte: CRLF and BOM stay


def main_of(soup: BeautifulSoup):
    """The page's content area, on any of the three themes."""
    main = soup.select_one("article.md-content__inner") or soup.select_one("div[role=main]")
    assert main is not None
    return main


def front_matter_keys(source: str) -> list[str]:
    source = source.lstrip("\ufeff").replace("\r\n", "\n")
    if not source.startswith("---\n"):
        return []
    block = source[4:].split("\n---", 1)[0].split("\n\n", 1)[0]
    return re.findall(r"^[ \t]*-?[ \t]*([A-Za-z_]+):", block, re.MULTILINE)


def plugin_messages(site, name: str) -> list[str]:
    messages = []
    for warning in site.plugin_warnings():
        assert f" {name}: " in warning, f"a warning that names no file or the wrong one: {warning}"
        messages.append(warning.split(f" {name}: ", 1)[1])
    return messages


def assert_body_intact(site, name: str, source: str, theme: str = "mkdocs") -> None:
    page = name.removesuffix(".md") + "/index.html"
    soup = site.soup(page)
    main = main_of(soup)
    # No Python value printed anywhere (the <title>, the navigation, the header) ...
    for marker in ("['", "{'", "[&#39;", "{&#39;", "datetime.", "None -", "False -", "True -"):
        assert marker not in site.text(page), f"{marker!r} in {page}"
    # ... and a page title that is not blank.
    assert soup.title.get_text().split(" - ")[0].strip(), f"blank <title> on {page}"
    text = main.get_text(" ", strip=True)
    stem = name.removesuffix(".md")
    if f"Body of the {stem} essay survives" in source:
        assert f"Body of the {stem} essay survives" in text
    for key in front_matter_keys(source):
        assert f"{key}:" not in text, f"front matter ({key}:) leaked into the body of {name}"
    assert main.select("hr") == [], f"the front-matter fence became a rule in {name}"
    assert "---" not in text


def assert_good_essay_intact(site) -> None:
    header = main_of(site.soup("good/index.html")).select_one("header.essay-meta")
    assert header is not None
    badges = [b["class"][1] for b in header.select(".essay-meta-badge")]
    assert badges == ["essay-meta-badge--status", "essay-meta-badge--certainty", "essay-meta-badge--importance"]
    assert [t.get_text() for t in header.select(".essay-meta__tag")] == ["AI", "LLM", "Machine Learning", "Future Tech"]


def test_every_corpus_file_has_expectations() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(set(EXPECTED) - set(GENERATED))


def test_corpus_files_keep_their_bytes() -> None:
    """Git must not normalise these (see .gitattributes), or the cases would test nothing."""
    assert b"\r\n" in (CORPUS / "crlf-line-endings.md").read_bytes()
    assert (CORPUS / "byte-order-mark.md").read_bytes().startswith(b"\xef\xbb\xbf---\n")
    assert b"\n\t" in (CORPUS / "tabs-in-yaml.md").read_bytes()
    assert "\u200b" in (CORPUS / "rtl-and-zero-width.md").read_text(encoding="utf-8")
    assert "\u202e" in (CORPUS / "rtl-and-zero-width.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_bad_input(tmp_path: Path, name: str) -> None:
    write_case(tmp_path / "docs", name)
    source = source_of(name)
    site = build_site(tmp_path, {"index.md": "# Home\n\nThe home page.\n", GOOD_ESSAY: GOOD_SOURCE})

    assert Counter(plugin_messages(site, name)) == Counter(EXPECTED[name])
    assert all(len(m) < 400 for m in site.plugin_warnings()), "a warning too long to read"
    assert_body_intact(site, name, source)
    assert_good_essay_intact(site)
    assert "The home page." in site.text("index.html")

    if EXPECTED[name]:
        with pytest.raises(Abort):
            build_site(tmp_path, strict=True)
    else:
        build_site(tmp_path, strict=True)


def test_whole_corpus_in_one_site(tmp_path: Path, theme: str) -> None:
    """All the bad pages together, on each theme: every page builds, each warns only for itself."""
    for name in CASES:
        write_case(tmp_path / "docs", name)
    site = build_site(tmp_path, {"index.md": "# Home\n", GOOD_ESSAY: GOOD_SOURCE}, theme=theme)
    by_file: dict[str, list[str]] = {name: [] for name in CASES}
    for warning in site.plugin_warnings():
        [name] = [n for n in CASES if f" {n}: " in warning]
        by_file[name].append(warning.split(f" {name}: ", 1)[1])
    for name in CASES:
        assert Counter(by_file[name]) == Counter(EXPECTED[name]), name
        assert_body_intact(site, name, source_of(name), theme)
    assert_good_essay_intact(site)


def test_python_tags_are_never_constructed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tag would run a shell command if a YAML loader ever constructed it."""
    fixture = (CORPUS / "yaml-python-tags.md").read_text(encoding="utf-8")
    block = fixture.split("---\n")[1]
    calls: list[object] = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)

    # Control: an unsafe loader really would call os.system with this front matter ...
    yaml.unsafe_load(block)
    assert calls == ["echo constructed > ESSAY_META_PWNED"]
    calls.clear()

    # ... while a whole build (MkDocs' reader and ours) never does.
    write_case(tmp_path / "docs", "yaml-python-tags.md")
    site = build_site(tmp_path, {"index.md": "# Home\n"})
    assert calls == []
    assert not list(tmp_path.rglob("ESSAY_META_PWNED"))
    assert "constructed" not in site.text("yaml-python-tags/index.html")
    assert "os.system" not in main_of(site.soup("yaml-python-tags/index.html")).get_text()


def test_unicode_values_show_as_written(tmp_path: Path) -> None:
    write_case(tmp_path / "docs", "unicode.md")
    write_case(tmp_path / "docs", "rtl-and-zero-width.md")
    site = build_site(tmp_path, {"index.md": "# Home\n"})
    header = site.soup("unicode/index.html").select_one("header.essay-meta")
    assert header.select_one("h1").get_text() == "Gärten, 庭園 und 🌱: ein Überblick"
    assert [t.get_text() for t in header.select(".essay-meta__tag")] == ["日本語", "Ünïcödé", "🌻"]
    assert "e\u0301 (combining)" in header.select_one(".essay-meta__description").get_text()
    rtl = site.soup("rtl-and-zero-width/index.html").select_one("header.essay-meta")
    assert rtl.select_one("h1").get_text() == "الحديقة גן \u202e evil \u202c end"
    assert [t.get_text() for t in rtl.select(".essay-meta__tag")] == ["עברית", "a\u200fb"]


def test_very_long_values_are_kept_whole_in_the_page(tmp_path: Path) -> None:
    write_case(tmp_path / "docs", "very-long-strings.md")
    site = build_site(tmp_path, {"index.md": "# Home\n"})
    header = site.soup("very-long-strings/index.html").select_one("header.essay-meta")
    assert header.select_one("h1").get_text() == "T" * LONG
    assert [t.get_text() for t in header.select(".essay-meta__tag")] == ["t" * LONG, "short"]


def test_page_starting_with_a_rule_is_not_front_matter(tmp_path: Path) -> None:
    """A thematic break on the first line, with no key: value after it, is body text."""
    site = build_site(tmp_path, {"index.md": "---\n\nText after a rule.\n", "other.md": "---\nNo key here\n"})
    assert site.plugin_warnings() == []
    assert main_of(site.soup("index.html")).select("hr")
    assert "Text after a rule." in site.text("index.html")
    assert "No key here" in site.text("other/index.html")

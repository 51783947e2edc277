"""Property-based tests (Hypothesis) of the front-matter model and the renderer.

* ``parse_essay`` returns ``(Essay, problems)`` and never raises, for any YAML-representable
  value in any field (and in any other key, and under the aliases);
* ``read_front_matter`` never raises on any text, and reads back exactly what YAML wrote;
* rendering any valid essay gives well-formed HTML in which every value reads as given.

``ESSAY_META_EXAMPLES`` sets the examples per property (default 300); the last test prints
how many ran. ``python -m pytest tests/test_properties.py -s`` shows the figures.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import jinja2
import markupsafe
import pytest
import yaml
from babel import Locale
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mkdocs_essay_meta.plugin import TEMPLATES_DIR
from mkdocs_essay_meta.labels import ENGLISH
from mkdocs_essay_meta.rendering import Renderer
from mkdocs_essay_meta.structure.essay import DEFAULT_ALIASES, FIELDS, Essay, Rating, parse_essay
from mkdocs_essay_meta.structure.listings import Card
from mkdocs_essay_meta.structure.frontmatter import (
    count_key_lines, count_keys, normalize_source, read_fields, read_front_matter, strip_front_matter,
)
from mkdocs_essay_meta.structure.problems import Problem, Problems
from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES

EXAMPLES = int(os.environ.get("ESSAY_META_EXAMPLES", "300"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared 2-core machine: no timing in tests
    derandomize=bool(os.environ.get("CI")),  # reproducible in CI, exploring elsewhere
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RAN: Counter[str] = Counter()

# -- strategies ------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.timezone.utc),
                                     st.builds(lambda m: dt.timezone(dt.timedelta(minutes=m)),
                                               st.integers(-23 * 60, 23 * 60)))),
    st.sampled_from(["draft", "In Progress", "likely", "8", "10", "2024-03-01", "2024-03-01 10:00",
                     "yes", "no", "", "  ", "@key", "https://example.com", "javascript:alert(1)"]),
)
keys = st.one_of(st.text(max_size=10), st.sampled_from(["value", "percentage", "title", "link", "created",
                                                         "updated", "url", "authors", "doi"]))
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=12,
)
field_names = st.sampled_from(FIELDS + tuple(DEFAULT_ALIASES))
front_matters = st.dictionaries(st.one_of(field_names, st.text(max_size=8)), yaml_values, max_size=8)

# YAML text that trips the parser in many ways: fragments of YAML syntax and fences.
yaml_noise = st.lists(st.sampled_from([
    "---", "...", "-", ":", ": ", "\n", "\t", " ", "  ", "[", "]", "{", "}", "'", '"', "#", "&a", "*a",
    "!!python/object/apply:os.system", "!!binary", "!!timestamp", "!!float", "? ", "|", ">", "%YAML 1.1",
    "title", "status", "2024-02-30", "2024-13-01", "1e999", ".nan", "0x", "~", "\ufeff", "\r\n", "\u2028",
    "<<: *a", "a: &a [*a]", "\x00", "\x85",
]) | st.text(max_size=5), max_size=40).map("".join)
sources = st.one_of(st.text(), yaml_noise, yaml_noise.map(lambda t: f"---\n{t}\n---\nBody\n"),
                    yaml_noise.map(lambda t: f"---\n{t}"))


# -- parse_essay -----------------------------------------------------------------------


@PROPERTY
@given(front_matters)
def test_parse_essay_never_raises(meta: dict[str, Any]) -> None:
    RAN["parse_essay on any value in any field"] += 1
    essay, problems = parse_essay(meta)
    assert isinstance(essay, Essay)
    assert isinstance(problems, Problems) and all(isinstance(p, Problem) for p in problems)
    for problem in problems:
        message = problem.message("page.md")
        assert message.startswith("page.md: ") and "\n" not in message and len(message) < 400
    # Everything kept is of the promised type.
    for text in (essay.title, essay.meta_title, essay.description, essay.excerpt):
        assert text is None or (isinstance(text, str) and text == text.strip() and text)
    assert all(isinstance(t, str) and t for t in essay.tags + essay.categories)
    for rating in essay.ratings:
        assert rating.percentage is None or (isinstance(rating.percentage, int) and 0 <= rating.percentage <= 100)
    for date in (essay.published, essay.updated):
        assert date is None or date.tzinfo is not None


@PROPERTY
@given(st.sampled_from(FIELDS), yaml_values)
def test_each_field_takes_any_value(name: str, value: Any) -> None:
    """One field at a time: a value either is kept or gives at least one problem naming the field."""
    RAN["parse_essay on one field"] += 1
    essay, problems = parse_essay({name: value})
    # The Material-blog form publishdate: {created, updated} also sets lastmod.
    related = {name, "lastmod"} if name == "publishdate" else {name}
    for problem in problems:
        assert problem.field is not None and problem.field.split(".")[0].split("[")[0] in related


# -- read_front_matter -----------------------------------------------------------------


@PROPERTY
@given(sources)
def test_read_front_matter_never_raises(text: str) -> None:
    RAN["read_front_matter on any text"] += 1
    problems = Problems()
    source = normalize_source(text)
    front_matter = read_front_matter(source, problems)
    assert isinstance(front_matter.data, dict)
    assert all(isinstance(k, str) for k in front_matter.data)
    assert 0 <= front_matter.block_end <= len(source)
    assert isinstance(strip_front_matter(source), str)
    for problem in problems:
        assert "\n" not in problem.message("page.md")
    if front_matter.data:
        parse_essay(front_matter.data)  # whatever YAML produced, the model takes it


# PyYAML writes NEL and the Unicode line separators unquoted, then reads them as line breaks:
# a PyYAML asymmetry (MkDocs' reader is the same), left out of the round trip.
yaml_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"),
                    max_size=30)
plain_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), yaml_text, st.dates()),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(yaml_text, children, max_size=3)),
    max_leaves=10,
)


@PROPERTY
@given(st.dictionaries(yaml_text.filter(bool), plain_values, min_size=1, max_size=6))
def test_front_matter_reads_back_what_yaml_wrote(data: dict[str, Any]) -> None:
    RAN["read_front_matter round trip"] += 1
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\nBody.\n"
    problems = Problems()
    front_matter = read_front_matter(normalize_source(text), problems)
    assert front_matter.valid and not problems
    assert front_matter.data == data
    assert strip_front_matter(normalize_source(text)) == "\nBody.\n"


# -- read_fields: the head-only read of on_files ----------------------------------------

HEAD = frozenset({"draft", "publishdate", "date"})
head_values = st.one_of(
    st.sampled_from([
        "true", "False", "YES", "no", "On", "off", "1", "0", "~", "null", "maybe", "'yes'", '"no"', "''",
        "2024-03-01", "2024-3-1", "2024-02-30", "2024-03-01 10:00", "2024-03-01 10:00:00",
        "2024-03-01T23:59:59+02:00", "2024-03-01T10:00:00Z", "2024-03-01 10:00:00.5 -05:00",
        "2024-03-01 24:00:00", "2024-03-01 10:00:00+24:00", "'2024-03-01'", '"2024-03-01 10:00:00"',
        '"a \\" b"', "x # c", "'it''s'", "2024-03-01  # a comment", "|\n  text", "|+\n  text\n\n", ">-\n  a\n  b",
        "\n  - x\n  - y", "\n  created: 2024-01-01\n  updated: '2024-02-01'", "\n  2024-01-01",
    ]),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2})?)?",
                  fullmatch=True),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20),
)


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["draft", "publishdate", "date", "title"]), head_values),
                min_size=1, max_size=5))
def test_head_fields_are_what_the_full_parse_reads(lines: list[tuple[str, str]]) -> None:
    RAN["read_fields against the full parse"] += 1
    source = "---\n" + "".join(f"{key}: {value}\n" for key, value in lines) + "---\n\nBody.\n"
    problems = Problems()
    full = read_front_matter(source, problems)
    head = read_fields(source, HEAD)
    if head is None or not full.valid:
        return  # read whole, or MkDocs cannot read it either (and the page is read whole then)
    expected = {key: value for key, value in full.data.items() if key in HEAD}
    assert head.data == expected
    assert {key: type(value) for key, value in head.data.items()} == {
        key: type(value) for key, value in expected.items()}
    repeated = any(problem.expected.startswith("to appear once") for problem in problems)
    keys = count_keys(full.data)
    assert head.most_keys >= count_key_lines(source)
    assert (count_key_lines(source) > keys) if repeated else (count_key_lines(source) >= keys)


# -- rendering -------------------------------------------------------------------------

RENDERER = Renderer([TEMPLATES_DIR], Locale.parse("en"), dt.timezone.utc, "long")
JINJA = Renderer([TEMPLATES_DIR], Locale.parse("en"), dt.timezone.utc, "long")
"""The same, rendering every header and card with plain Jinja: partials included, not pasted, and
escaped by MarkupSafe (RENDERER fills each into a format rendered once per shape)."""
JINJA.env.loader = jinja2.FileSystemLoader([TEMPLATES_DIR])
JINJA.env.template_class = jinja2.Template
# Text a browser reads back unchanged: no control characters, surrogates or line-break oddities.
words = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40).map(
    str.strip).filter(bool)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def ratings(name: str) -> st.SearchStrategy[Rating]:
    scale = DEFAULT_SCALES[name]
    return st.builds(lambda term, pct, default: Rating(scale, term, pct, default),
                     st.sampled_from(scale.terms), st.none() | st.integers(0, 100), st.booleans())


essays = st.builds(
    Essay,
    title=st.none() | words,
    description=st.none() | words,
    published=st.none() | st.datetimes(min_value=dt.datetime(1000, 1, 1), timezones=st.just(dt.timezone.utc)),
    updated=st.none() | st.datetimes(min_value=dt.datetime(1000, 1, 1), timezones=st.just(dt.timezone.utc)),
    tags=st.lists(words, max_size=4, unique=True).map(tuple),
    categories=st.lists(words, max_size=3, unique=True).map(tuple),
    status=st.none() | ratings("status"),
    certainty=st.none() | ratings("certainty"),
    importance=st.none() | ratings("importance"),
    is_complete=st.none() | st.booleans(),
    is_essay=st.just(True),
)


class _Balance(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


@PROPERTY
@given(essays, st.none() | words, st.sampled_from([None, "draft", "scheduled"]))
def test_rendering_is_well_formed_and_escaped(essay: Essay, title: str | None, draft: str | None) -> None:
    RAN["Renderer.header on any valid essay"] += 1
    out = RENDERER.header(essay, title=title, labels=dict(ENGLISH), draft=draft, show_notice=True)
    checker = _Balance()
    checker.feed(out)
    checker.close()
    assert checker.stack == [], f"unclosed {checker.stack}"
    soup = BeautifulSoup(out, "html.parser")
    [header] = soup.select("header.essay-meta")
    # No element or attribute came from the values: only the template's own.
    assert all(el.name in {"header", "aside", "p", "strong", "h1", "span", "time", "ul", "li", "dl", "div", "dt", "dd"}
               for el in header.find_all(True))
    assert not any(a.startswith("on") for el in header.find_all(True) for a in el.attrs)
    if title:
        assert header.select_one("h1").get_text() == title
    if essay.description:
        assert header.select_one(".essay-meta__description").get_text() == essay.description
    assert [li.get_text() for li in header.select(".essay-meta__tag")] == list(essay.tags)
    assert [li.get_text() for li in header.select(".essay-meta__category")] == list(essay.categories)
    for date, kind in ((essay.published, "published"), (essay.updated, "updated")):
        time = header.select_one(f".essay-meta__date--{kind} time")
        assert (time is None) == (date is None)
        if date is not None:
            assert dt.datetime.fromisoformat(time["datetime"]) == date
    for rating in essay.ratings:
        badge = header.select_one(f".essay-meta-badge--{rating.scale.name}")
        fill = badge.select_one(".essay-meta-meter__fill")
        if rating.percentage is None:
            assert fill is None
        else:
            assert fill["style"] == f"width: {rating.percentage}%"
    # Every value is escaped the way Jinja escapes, so none of its markup characters is raw.
    for value in (title, essay.description, *essay.tags, *essay.categories):
        if value:
            assert str(markupsafe.escape(value)) in out


@PROPERTY
@given(essays, st.none() | words, st.sampled_from([None, "draft", "scheduled"]), st.booleans())
def test_headers_filled_in_per_shape_are_the_headers_jinja_renders(essay: Essay, title: str | None, draft: str | None,
                                                                   show_notice: bool) -> None:
    RAN["Renderer.header against plain Jinja"] += 1
    arguments = {"title": title, "labels": dict(ENGLISH), "draft": draft, "show_notice": show_notice}
    assert RENDERER.header(essay, **arguments) == JINJA.render("header.html", essay=essay, **arguments)



@PROPERTY
@given(essays, words, words, words, st.none() | words, st.sampled_from(["h3", "h4"]))
def test_cards_filled_in_per_shape_are_the_cards_jinja_renders(essay: Essay, title: str, href: str, id_prefix: str,
                                                               excerpt: str | None, card_heading: str) -> None:
    RAN["Renderer.card against plain Jinja"] += 1
    card = Card(title, href, id_prefix, excerpt, essay)
    arguments = {"card_heading": card_heading, "labels": dict(ENGLISH)}
    assert RENDERER.card(card, **arguments) == JINJA.render("card.html", card=card, **arguments)

def test_report_examples_run() -> None:
    """Runs last: prints how many examples each property saw (shown with -s)."""
    if not RAN:
        pytest.skip("run together with the property tests")
    total = sum(RAN.values())
    lines = [f"  {name}: {count}" for name, count in sorted(RAN.items())]
    print(f"\nHypothesis examples run (max_examples={EXAMPLES} per property): {total}\n" + "\n".join(lines))
    assert all(count >= min(EXAMPLES, 100) for count in RAN.values()), RAN
    assert not math.isnan(total)

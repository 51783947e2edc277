"""Unit tests for structure/listings.py: marker parsing, filters, sorting, grouping, links."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from mkdocs.utils import get_relative_url

from mkdocs_essay_meta.structure.essay import Essay, parse_essay
from mkdocs_essay_meta.structure.listings import (
    Entry, ListingSpec, arrange, find_markers, first_paragraph, group, parse_options,
    relative_url, select, shorten, suggest_kind,
)
from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES as SCALES


def entry(name: str, **meta) -> Entry:
    essay, problems = parse_essay(meta)
    assert not problems, problems
    return Entry(f"{name}.md", f"{name}/", meta.get("title", name), essay, None)


A = entry("a", title="Alpha", publishdate="2024-01-10", lastmod="2024-06-01", status="finished",
          certainty="likely", importance=3, tags=["AI", "Go"], categories=["Tech"], homepage_featured=True)
B = entry("b", title="beta", publishdate="2023-05-01", status="in progress", certainty="remote",
          importance=9, tags=["ai"], categories=["Life", "Tech"])
C = entry("c", title="Gamma", publishdate="2024-03-01", status="notes", certainty="fiction",
          importance=5, homepage_featured=True)
D = entry("d", title="Delta", status="draft")  # no dates, no certainty, no importance
ALL = [A, B, C, D]


def titles(entries):
    return [e.title for e in entries]


def spec(text: str) -> ListingSpec:
    result, problems = parse_options(text, SCALES)
    assert problems == [], problems
    return result


# -- parsing marker options ---------------------------------------------------------------

def test_defaults_list_everything_newest_first() -> None:
    s = spec("")
    assert (s.sort, s.descending, s.limit, s.group, s.layout) == ("published", True, None, None, "cards")
    assert titles(select(ALL, s)) == ["Gamma", "Alpha", "beta", "Delta"]


def test_every_option_parses() -> None:
    s = spec('status="in progress, Finished" tag=AI,go category=\'Tech\' featured=no min_importance=4 '
             'min_certainty=likely sort=+title limit=3 group=year layout=table heading="Work & play"')
    assert s.statuses == {"in-progress", "finished"}
    assert s.tags == {"ai", "go"} and s.categories == {"tech"}
    assert s.featured is False and s.min_importance == 4 and s.min_certainty == 63
    assert (s.sort, s.descending, s.limit, s.group, s.layout) == ("title", False, 3, "year", "table")
    assert s.heading == "Work & play"


def test_aliases_and_entities() -> None:
    s = spec("tags=x categories=y order=-updated title=&quot;Hi&quot; min_certainty=70%")
    assert s.tags == {"x"} and s.categories == {"y"} and (s.sort, s.descending) == ("updated", True)
    assert s.heading == "Hi" and s.min_certainty == 70


@pytest.mark.parametrize("text, option", [
    ("sortt=title", "sortt"),
    ("status=done", "status"),
    ("featured=maybe", "featured"),
    ("min_importance=11", "min_importance"),
    ("min_certainty=fiction", "min_certainty"),
    ("min_certainty=150", "min_certainty"),
    ("sort=length", "sort"),
    ("limit=0", "limit"),
    ("limit=two", "limit"),
    ("group=author", "group"),
    ("layout=grid", "layout"),
    ("tag=,", "tag"),
    ("limit=2 limit=3", "limit"),
    ("limit=2 garbage", "garbage"),
])
def test_bad_options_are_reported_and_the_rest_kept(text: str, option: str) -> None:
    result, problems = parse_options(text + " heading=Kept", SCALES)
    assert [p.option for p in problems] == [option]
    assert result.heading == "Kept"
    message = problems[0].message("essays/index.md")
    assert message.startswith("essays/index.md: essay-meta:listing marker option ") and option in message


def test_base_spec_is_the_starting_point() -> None:
    result, _ = parse_options("limit=1", SCALES, ListingSpec(featured=True, heading="Featured"))
    assert (result.featured, result.heading, result.limit) == (True, "Featured", 1)


def test_suggest_kind() -> None:
    assert suggest_kind("listings") == "listing"
    assert suggest_kind("bibliography") is None


# -- finding markers ------------------------------------------------------------------------

def test_markers_only_as_real_comments() -> None:
    html = ('<p>Intro</p>\n<!-- essay-meta:listing limit=2 -->\n<p><!-- essay-meta:featured --></p>\n'
            '<pre><code>&lt;!-- essay-meta:listing --&gt;</code></pre><p><code>&lt;!-- essay-meta:featured --&gt;</code></p>')
    markers = find_markers(html)
    assert [(m.kind, m.options.strip()) for m in markers] == [("listing", "limit=2"), ("featured", "")]
    assert html[markers[1].start:markers[1].end] == "<p><!-- essay-meta:featured --></p>"
    assert find_markers("<p>no markers</p>") == []
    html = "<p>Text <!-- essay-meta:listing --></p>"
    [inline] = find_markers(html)
    assert html[inline.start:inline.end] == "<!-- essay-meta:listing -->"
    assert [m.kind for m in find_markers("<!--essay-meta:listing-->\n<!--\n  essay-meta:featured\n  limit=1\n-->")] == [
        "listing", "featured"]


# -- filters, sorting, limits -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("status=finished", ["Alpha"]),
    ('status="notes,draft"', ["Gamma", "Delta"]),
    ("tag=ai", ["Alpha", "beta"]),
    ("tag=go,nothing", ["Alpha"]),
    ("category=life", ["beta"]),
    ("featured=true", ["Gamma", "Alpha"]),
    ("featured=false", ["beta", "Delta"]),
    ("min_importance=5", ["Gamma", "beta"]),
    ("min_certainty=likely", ["Alpha"]),
    ("min_certainty=5", ["Alpha", "beta"]),
    ("sort=published", ["Gamma", "Alpha", "beta", "Delta"]),
    ("sort=+published", ["beta", "Alpha", "Gamma", "Delta"]),
    ("sort=-updated", ["Alpha", "Gamma", "beta", "Delta"]),
    ("sort=importance", ["beta", "Gamma", "Alpha", "Delta"]),
    ("sort=+importance", ["Alpha", "Gamma", "beta", "Delta"]),
    ("sort=certainty", ["Alpha", "beta", "Delta", "Gamma"]),  # fiction has no percentage
    ("sort=title", ["Alpha", "beta", "Delta", "Gamma"]),
    ("sort=-title", ["Gamma", "Delta", "beta", "Alpha"]),
    ("limit=2", ["Gamma", "Alpha"]),
    ("sort=title limit=1 tag=ai", ["Alpha"]),
])
def test_select(text: str, expected: list[str]) -> None:
    assert titles(select(ALL, spec(text))) == expected


def test_ties_keep_title_order() -> None:
    same = [entry(n, title=n.upper(), publishdate="2024-01-01") for n in ("b", "c", "a")]
    assert titles(select(same, spec(""))) == ["A", "B", "C"]
    assert titles(select(same, spec("sort=+published"))) == ["A", "B", "C"]


# -- grouping ---------------------------------------------------------------------------------

def test_group_by_status_follows_the_scale() -> None:
    groups = group(select(ALL, spec("")), spec("group=status"), SCALES)
    assert [(g.label, titles(g.entries)) for g in groups] == [
        ("Notes", ["Gamma"]), ("Draft", ["Delta"]), ("In Progress", ["beta"]), ("Finished", ["Alpha"])]


def test_group_by_category_lists_an_essay_in_each_of_its_categories() -> None:
    groups = group(select(ALL, spec("")), spec("group=category"), SCALES)
    assert [(g.label, titles(g.entries)) for g in groups] == [
        ("Life", ["beta"]), ("Tech", ["Alpha", "beta"]), ("", ["Gamma", "Delta"])]


def test_group_by_year_newest_first_undated_last() -> None:
    groups = group(select(ALL, spec("sort=title")), spec("group=year"), SCALES)
    assert [(g.label, titles(g.entries)) for g in groups] == [
        ("2024", ["Alpha", "Gamma"]), ("2023", ["beta"]), ("", ["Delta"])]


def test_arrange_links_relative_to_the_page_and_numbers_cards() -> None:
    groups = arrange(ALL, spec("limit=2"), SCALES, page_url="notes/index/", id_prefix="x")
    cards = groups[0].cards
    assert [(c.title, c.href, c.id_prefix) for c in cards] == [("Gamma", "../../c/", "x-1"), ("Alpha", "../../a/", "x-2")]


# -- links ----------------------------------------------------------------------------------

PAGES_DIR = ["./", "a/", "a/b/", "a/b/c/", "x/"]
PAGES_FILE = ["index.html", "a.html", "a/index.html", "a/b.html", "a/b/c.html", "x/y/index.html"]


@pytest.mark.parametrize("urls", [PAGES_DIR, PAGES_FILE])
def test_relative_url_matches_mkdocs(urls: list[str]) -> None:
    for source in urls:
        for target in urls:
            expected = get_relative_url(target, source)
            if target in ("./",) and expected == ".":
                expected = "./"
            assert relative_url(source, target) == expected, (source, target)


def test_relative_url_examples() -> None:
    assert relative_url("./", "essays/llm/") == "essays/llm/"
    assert relative_url("essays/llm/", "./") == "../../"
    assert relative_url("essays/llm/", "essays/other/") == "../other/"
    assert relative_url("index.html", "essays/llm.html") == "essays/llm.html"
    assert relative_url("essays/llm.html", "index.html") == "../index.html"
    assert relative_url("a/", "a/") == "./"


# -- excerpts ---------------------------------------------------------------------------------

def test_first_paragraph() -> None:
    html = ('<h1>T</h1><p> </p><p><img src="x.png"></p>'
            '<p>Hello <em>wide</em>\n&amp; <a href="#">world</a><sup id="fnref:1"><a href="#fn:1">1</a></sup>.</p><p>Second</p>')
    assert first_paragraph(html) == "Hello wide & world."
    assert first_paragraph("<h1>Only</h1>") is None


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("one two three", 100) == "one two three"
    assert shorten("one two three four", 10) == "one two…"
    assert len(first_paragraph("<p>" + "word " * 200 + "</p>") or "") <= 301


def test_entry_essay_is_plain_model() -> None:
    assert isinstance(A.essay, Essay) and A.essay.published == datetime(2024, 1, 10, tzinfo=timezone.utc)


def test_listings_module_does_not_import_mkdocs() -> None:
    import ast
    from pathlib import Path

    import mkdocs_essay_meta.structure.listings as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.split(".")[0] in ("mkdocs", "jinja2", "markdown")]

"""The plugin's fast paths (docs/performance.md) give what the slow ones gave.

* on_files reads each page's front matter with the plain YAML reader and hands MkDocs the
  source and what it read, so MkDocs neither reads the file nor parses the YAML again; it
  gets the same ``markdown`` and ``meta`` (tests/test_plain_yaml.py: the reader itself).
* A block the reader declines: only its ``draft``/``publishdate`` lines are read in on_files;
  the essay is parsed later from the ``meta`` MkDocs reads.
* The header partials are pasted into one template when loaded (InliningLoader) instead
  of being included at every render; a user's override of one partial still applies.
* The plugin's own header, bibliography entries and lists are rendered once per shape and
  filled in; each is compared with what plain Jinja renders.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
import pytest
from bs4 import BeautifulSoup
from zoneinfo import ZoneInfo

from conftest import SAMPLE_ESSAY, build_site, write_site
from mkdocs_essay_meta.plugin import TEMPLATES_DIR
from mkdocs_essay_meta.rendering import Renderer, _DayFormat, parse_locale
from mkdocs_essay_meta.structure.bibliography import Reference
from mkdocs_essay_meta.structure.frontmatter import count_key_lines, count_keys, read_fields, read_front_matter
from mkdocs_essay_meta.structure.essay import Essay, Rating, parse_essay
from mkdocs_essay_meta.structure.listings import Card, CardGroup, ListingSpec, legend
from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES
from mkdocs_essay_meta.structure.problems import Problems

HEAD = frozenset({"draft", "publishdate", "date"})


def essay(front_matter: str, body: str = "Some text.\n") -> str:
    return f"---\n{front_matter.strip()}\n---\n\n{body}"


# -- reading the head fields ----------------------------------------------------------------

@pytest.mark.parametrize("source", [
    SAMPLE_ESSAY,
    essay("title: x\ndraft: yes\npublishdate: 2024-03-01"),
    essay("date:\n  created: 2024-01-01\n  updated: 2024-02-01\ndraft: false\ntitle: x"),
    essay("tags:\n- a\n- b\ndraft: on  # a comment\nstatus: notes"),
    essay("publishdate: '2031-01-05'\ndescription: 'draft: true is not a key here'"),
])
def test_head_fields_equal_the_full_parse(source: str) -> None:
    fields = read_fields(source, HEAD)
    assert fields is not None
    full = read_front_matter(source, Problems()).data
    assert fields.data == {k: v for k, v in full.items() if k in HEAD}
    assert count_key_lines(source) == count_keys(full) <= fields.most_keys


@pytest.mark.parametrize("source", [
    essay('"draft": true'),                   # a quoted key
    essay("{draft: true, title: x}"),         # a flow mapping
    essay("draft: *flag"),                    # an alias defined nowhere
    essay("title: x\nstatus: {value: notes}"),  # a flow mapping hides keys from the count
    essay("publishdate: 2024-02-30"),          # not a date: YAML itself fails
    "---\ndraft: true\nnever closed\n",
])
def test_unusual_front_matter_is_left_to_the_full_parse(source: str) -> None:
    assert read_fields(source, HEAD) is None


@pytest.mark.parametrize("text", [
    "---\n---\nbody\n", "---\na: 1\n---\n", "---\na: 1\n...\nbody", "---  \na: 1\n---  \nx",
    "---\na: 1\n----\nb: 2\n---\n", "---\na: |\n  ---\n---\n", "---\n\n---\n", "--- \na\n--- x\n---\n",
])
def test_the_block_found_is_the_one_mkdocs_finds(text: str) -> None:
    from mkdocs_essay_meta.structure.frontmatter import FRONT_MATTER_RE, _block_lines
    mine, theirs = _block_lines(text), FRONT_MATTER_RE.match(text)
    assert (mine and text[mine[0] + 1:mine[1]]) == (theirs and theirs.group(1))


def test_the_block_pattern_finds_what_mkdocs_pattern_finds() -> None:
    import random
    from mkdocs.utils.meta import YAML_RE
    from mkdocs_essay_meta.structure.frontmatter import FRONT_MATTER_RE
    pieces = ["-", "-", ".", " ", "\t", "\n", "\n", "a", ":", "---\n", "...\n", "--- \n", "\r", "\u2028"]
    rnd = random.Random(6)
    found = 0
    for _ in range(100_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 14)))
        text = "---\n" + text if rnd.random() < 0.5 else text
        mine, theirs = FRONT_MATTER_RE.match(text), YAML_RE.match(text)
        assert (mine and (mine.group(1), mine.end())) == (theirs and (theirs.group(1), theirs.end())), repr(text)
        found += theirs is not None
    assert found > 10_000  # (about a fifth of the texts have a block)


def test_no_front_matter_has_no_head_fields() -> None:
    fields = read_fields("# Just a page\n", HEAD)
    assert fields is not None and fields.data == {} and fields.most_keys == 0


@pytest.mark.parametrize("block", [
    "a: 1\na: 2\n",
    "status:\n  value: x\n  value: y\n",
    "bibliography:\n  - title: a\n    title: b\n",
    "bibliography:\n-   title: a\n    link: b\n-   title: a\n    link: b\n    link: c\n",
])
def test_a_repeated_key_shows_as_fewer_keys_than_key_lines(block: str) -> None:
    fields = read_fields(essay(block), HEAD)
    assert fields is not None
    keys = count_keys(read_front_matter(essay(block), Problems()).data)
    assert fields.most_keys >= count_key_lines(essay(block)) > keys


@pytest.mark.parametrize("block", [
    'title: "Attention: a history"',
    "title: x\ndescription: |\n  Note: a block scalar\n",
    "title: x  # a comment: with a colon",
    "bibliography:\n- 'Kahneman, D.: Thinking'",
])
def test_a_colon_in_text_is_not_taken_for_a_key(block: str) -> None:
    fields = read_fields(essay(block), HEAD)
    assert fields is not None
    keys = count_keys(read_front_matter(essay(block), Problems()).data)
    assert fields.most_keys > keys  # the cheap count may take it for one...
    if "|" not in block:
        assert count_key_lines(essay(block)) == keys  # ...the exact one does not


@pytest.mark.parametrize("raw", [
    b"", b"plain\n", "\ufeff---\ntitle: \u00e9t\u00e9\n---\n".encode(), b"a\r\nb\rc\n", b"x" * 200_000,
    "\ufeff\ufeff---\n".encode(), b"x" * 65_535 + b"\r\ny\r", b"a\n\r\n\r\rb",
])
def test_read_source_reads_what_mkdocs_reads(tmp_path: Path, raw: bytes) -> None:
    # Exactly: the plugin hands what it read to MkDocs (on_page_read_source).
    from mkdocs.structure.files import File
    from mkdocs_essay_meta.structure.frontmatter import read_source
    (tmp_path / "page.md").write_bytes(raw)
    file = File("page.md", str(tmp_path), str(tmp_path / "site"), use_directory_urls=True)
    assert read_source(str(tmp_path / "page.md")) == file.content_string


def test_read_source_fails_as_mkdocs_does(tmp_path: Path) -> None:
    from mkdocs_essay_meta.structure.frontmatter import read_source
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe not UTF-8")
    with pytest.raises(UnicodeDecodeError):
        read_source(str(tmp_path / "bad.md"))
    with pytest.raises(OSError):
        read_source(str(tmp_path / "missing.md"))


# -- whole builds -----------------------------------------------------------------------------

def test_mkdocs_does_not_read_again_the_pages_the_plugin_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.structure.files import File
    read_by_mkdocs: list[str] = []
    content_string = File.content_string

    def counted(file: File) -> str:
        read_by_mkdocs.append(file.src_uri)
        return content_string.fget(file)  # type: ignore[attr-defined]

    monkeypatch.setattr(File, "content_string", property(counted, content_string.fset))  # type: ignore[attr-defined]
    pages = {"index.md": "# Home\n\nWelcome.\n", "essay.md": SAMPLE_ESSAY,
             "crlf.md": "---\r\ntitle: Windows\r\n---\r\nLine one\r\nline two\r\n"}
    site = build_site(tmp_path, pages)
    assert read_by_mkdocs == []
    assert "Welcome." in site.text("index.html")
    assert "Line one\nline two" in site.text("crlf/index.html")
    # Without the plugin, MkDocs reads each page itself (so the count above means something).
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text().replace("- essay-meta: {}", ""), encoding="utf-8")
    build_site(tmp_path)
    assert sorted(read_by_mkdocs) == sorted(pages)


def test_another_plugins_source_for_a_page_wins(tmp_path: Path) -> None:
    (tmp_path / "hooks.py").write_text(
        "def on_page_read_source(page, config):\n"
        "    if page.file.src_uri == 'essay.md':\n"
        "        return '---\\ntitle: From the hook\\n---\\nReplaced by a hook.\\n'\n", encoding="utf-8")
    # strict: the plugin registers no on_page_read_source of its own (MkDocs warns when two do).
    site = build_site(tmp_path, {"essay.md": SAMPLE_ESSAY, "other.md": essay("title: Other")},
                      extra={"hooks": ["hooks.py"]}, strict=True)
    assert "Replaced by a hook." in site.text("essay/index.html")
    assert "From the hook" in site.text("essay/index.html")
    assert "<title>Other" in site.text("other/index.html")
    assert not any("on_page_read_source" in w for w in site.warnings)


MEANINGS_OF_FRONT_MATTER = {
    "sample.md": SAMPLE_ESSAY,
    "plain.md": essay("title: Plain\ntags: [a, 'b, c']\ndraft: false\nstatus:\n  value: notes\n  percentage: 5",
                      "\n\n\nBlank lines above the body.\n"),
    "declined.md": essay("title: &t Anchored\nsubtitle: *t\nstatus: notes"),  # left to MkDocs' loader
    "crlf.md": "---\r\ntitle: Windows\r\nlastmod: 2024-03-01\r\n---\r\nLine one\r\n",
    "rule-body.md": essay("title: Rule", "---\n\nA body that starts with a rule.\n"),
    "dots.md": "---\ntitle: Closed by dots\n...\nBody.\n",
    "no-block.md": "# No front matter\n\nText.\n",
    "multimarkdown.md": "Title: MultiMarkdown meta\nAuthor: Someone\n\nBody.\n",
    "empty-block.md": "---\n\n---\nBody under an empty block.\n",
    "list-block.md": "---\n- a\n- b\n---\nBody under a list.\n",
    "unclosed.md": "---\ntitle: Never closed\n\nBody.\n",
    "at-the-end.md": "---\ntitle: Closed on the last line\n---",
}


def seen_by_other_plugins(tmp_path: Path, pages: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                          *, with_plugin: bool) -> list[Any]:
    """Each page's source URI, markdown and meta (repr) and title as a hook sees them in
    ``on_page_markdown`` before any plugin, in a build with or without essay-meta."""
    (tmp_path / "hooks.py").write_text(
        "import json, os\n"
        "from mkdocs.plugins import event_priority\n"
        "@event_priority(1000000)\n"
        "def on_page_markdown(markdown, page, config, files):\n"
        "    with open(os.environ['ESSAY_META_SEEN'], 'a', encoding='utf-8') as out:\n"
        "        out.write(json.dumps([page.file.src_uri, markdown, page.markdown, repr(page.meta), page.title]) + '\\n')\n",
        encoding="utf-8")
    out = tmp_path / "seen.jsonl"
    out.unlink(missing_ok=True)
    monkeypatch.setenv("ESSAY_META_SEEN", str(out))
    build_site(tmp_path, pages, extra={"hooks": ["hooks.py"]}, plugin={"enabled": with_plugin})
    return sorted(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())


def test_mkdocs_gets_the_markdown_and_meta_it_would_have_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What every plugin and theme sees of a page as MkDocs reads it: with essay-meta
    handing over the source and front matter, and without it."""
    seen = seen_by_other_plugins(tmp_path, MEANINGS_OF_FRONT_MATTER, monkeypatch, with_plugin=True)
    assert len(seen) == len(MEANINGS_OF_FRONT_MATTER)
    assert seen == seen_by_other_plugins(tmp_path, MEANINGS_OF_FRONT_MATTER, monkeypatch, with_plugin=False)


def test_a_resolver_given_to_mkdocs_loader_between_builds_is_followed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain reader follows the loader MkDocs uses as it is at each build (the plugin
    instance outlives builds while serving; a hook may change the loader meanwhile)."""
    from mkdocs.utils import meta
    pages = {"release.md": essay("title: R\nrelease: v2\nstatus: notes")}
    first = seen_by_other_plugins(tmp_path, pages, monkeypatch, with_plugin=True)
    assert "'release': 'v2'" in first[0][3]
    loader = meta.SafeLoader
    monkeypatch.setattr(loader, "yaml_implicit_resolvers", {k: list(v) for k, v in loader.yaml_implicit_resolvers.items()})
    monkeypatch.setattr(loader, "yaml_constructors", dict(loader.yaml_constructors))
    loader.add_implicit_resolver("!version", re.compile(r"^v[0-9]+$"), list("v"))
    loader.add_constructor("!version", lambda loader, node: {"version": int(node.value[1:])})
    second = seen_by_other_plugins(tmp_path, pages, monkeypatch, with_plugin=True)
    assert "'release': {'version': 2}" in second[0][3]
    assert second == seen_by_other_plugins(tmp_path, pages, monkeypatch, with_plugin=False)


def test_mkdocs_parses_no_front_matter_the_plugin_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.utils import meta
    parsed: list[str] = []
    get_data = meta.get_data

    def counted(doc: str) -> Any:
        parsed.append(doc.split("\n", 2)[1])
        return get_data(doc)

    monkeypatch.setattr(meta, "get_data", counted)
    pages = {"sample.md": SAMPLE_ESSAY, "plain.md": essay("title: Plain"), "declined.md": essay("title: !!str Tagged")}
    build_site(tmp_path, pages)
    assert parsed == ["title: !!str Tagged"]
    # Without the plugin, MkDocs parses each (so the count above means something).
    build_site(tmp_path, pages, plugin={"enabled": False})
    assert len(parsed) == 1 + len(pages)


def test_drafts_and_scheduled_essays_are_held_back_in_every_form(tmp_path: Path) -> None:
    pages = {
        "index.md": "# Home\n",
        "draft.md": essay("title: D\ndraft: true\nstatus: draft"),
        "future.md": essay("title: F\npublishdate: 2999-01-01\nstatus: notes"),
        "future-alias.md": essay("title: A\ndate:\n  created: 2999-01-01\nstatus: notes"),
        "quoted.md": essay('"draft": true\ntitle: Q\nstatus: notes'),
        "published.md": essay("title: P\npublishdate: 2020-01-01\ndraft: false\nstatus: finished"),
    }
    site = build_site(tmp_path, pages)
    for held_back in ("draft", "future", "future-alias", "quoted"):
        assert not site.exists(f"{held_back}/index.html"), held_back
    assert site.soup("published/index.html").select_one("header.essay-meta") is not None


def test_front_matter_problems_are_still_reported(tmp_path: Path) -> None:
    pages = {
        "index.md": "# Home\n",
        "broken.md": essay("title: [unclosed\nstatus: notes"),
        "repeated.md": essay("title: R\nstatus:\n  value: notes\n  value: draft"),
        "bad-value.md": essay("title: B\nimportance: 11"),
        "quoted-colon.md": essay('title: "Q: a question"\nstatus: notes\nstatus: draft'),
        "list.md": essay("- 'a: b'"),
        "colon-only.md": essay('title: "Fine: no problem"\nstatus: notes'),
    }
    site = build_site(tmp_path, pages)
    warnings = "\n".join(site.plugin_warnings())
    assert "broken.md" in warnings and "not valid YAML" in warnings
    assert "repeated.md" in warnings and "value" in warnings
    assert "bad-value.md" in warnings and "importance" in warnings
    assert "quoted-colon.md: field 'status' has 'draft'; expected to appear once" in warnings
    assert "list.md: front matter is a list" in warnings
    assert "colon-only.md" not in warnings
    assert site.soup("colon-only/index.html").select_one("header.essay-meta") is not None
    # The unreadable block is not shown as text, and the rest of the page still builds.
    assert "[unclosed" not in site.text("broken/index.html")


@pytest.mark.parametrize("serve", [False, True])
def test_each_problem_is_reported_once(tmp_path: Path, serve: bool) -> None:
    pages = {"plain.md": essay("title: P\nimportance: 11"),                   # read by the plain reader
             "declined.md": essay("title: &t D\nsubtitle: *t\nimportance: 12"),  # by MkDocs' loader
             "draft.md": essay("title: R\ndraft: true\nimportance: 13")}     # held back (served)
    warnings = build_site(tmp_path, pages, serve=serve).plugin_warnings()
    for page, value in (("plain.md", "11"), ("declined.md", "12"), ("draft.md", "13")):
        assert sum(page in w and "importance" in w and value in w for w in warnings) == 1, (page, warnings)


def test_serve_rebuild_sees_an_edited_essay(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "essay.md"
    build_site(tmp_path, {"index.md": "# Home\n", "essay.md": essay("title: E\nstatus: notes")}, serve=True)
    page.write_text(essay("title: E\nstatus: finished"), encoding="utf-8")
    stamp = time.time() + 5  # make sure the edit is seen even on a coarse clock
    os.utime(page, (stamp, stamp))
    site = build_site(tmp_path, serve=True, dirty=True)
    value = site.soup("essay/index.html").select_one(".essay-meta-badge--status .essay-meta-badge__value")
    assert value.get_text() == "Finished"


# -- rendering ------------------------------------------------------------------------------

def _essays() -> list:
    sources = [SAMPLE_ESSAY,
               essay("title: x\nstatus: finished\ncertainty: log\nimportance: 0\ntags: [a]\nis_post_complete: true"),
               essay("title: y\nstatus: {value: draft, percentage: 5}\ncategories: [c, d]\nlastmod: 2024-01-01")]
    return [parse_essay(read_front_matter(s, Problems()).data)[0] for s in sources]


def test_inlined_partials_render_exactly_as_includes() -> None:
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow.env.loader = jinja2.FileSystemLoader([TEMPLATES_DIR])
    slow.env.template_class = jinja2.Template  # markupsafe's own escaping
    assert "include" in slow.env.loader.get_source(slow.env, "essay-meta/header.html")[0]
    assert "include" not in fast.env.loader.get_source(fast.env, "essay-meta/header.html")[0]
    labels = labels_for("en", {})
    for e in _essays():
        for extra in ({"draft": None, "show_notice": True}, {"draft": "scheduled", "show_notice": False}):
            assert (fast.render("header.html", essay=e, title="T", labels=labels, **extra)
                    == slow.render("header.html", essay=e, title="T", labels=labels, **extra))


def test_badges_rendered_once_per_build_are_the_same_as_rendered_each_time() -> None:
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow.env.loader = jinja2.FileSystemLoader([TEMPLATES_DIR])
    slow.env.template_class = jinja2.Template  # markupsafe's own escaping
    assert "essay_meta_badge" in fast.env.loader.get_source(fast.env, "essay-meta/badges.html")[0]
    labels = labels_for("en", {})
    # Twice over: the second pass takes every badge from the cache; the prefixes differ; in
    # a header (in_listing undefined or false) and on a card.
    for place in ({}, {"in_listing": True}, {"in_listing": False}):
        for prefix in (None, "card-1", 'x"<&>', "card-2", None):
            for e in _essays() + _essays():
                assert (fast.render("badges.html", essay=e, labels=labels, id_prefix=prefix, **place)
                        == slow.render("badges.html", essay=e, labels=labels, id_prefix=prefix, **place))
    assert fast._badges  # the cache was used
    assert {key[-1] for key in fast._badges} == {False, True}


def test_badges_rendered_once_per_kind_of_percentage_are_the_same_for_every_percentage() -> None:
    from mkdocs_essay_meta.labels import labels_for
    from mkdocs_essay_meta.structure.essay import Rating
    from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES
    from zoneinfo import ZoneInfo
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow.env.loader = jinja2.FileSystemLoader([TEMPLATES_DIR])
    slow.env.template_class = jinja2.Template  # markupsafe's own escaping
    labels = labels_for("en", {})
    for scale in DEFAULT_SCALES.values():
        for term in scale.terms:
            for percentage in (None, 0, 5, 50, 99, 100, 37.5):
                for default in (False, True):
                    rating = Rating(scale, term, percentage, default)
                    essay = Essay(status=rating)
                    for prefix in (None, "card-1"):
                        assert (fast.render("badges.html", essay=essay, labels=labels, id_prefix=prefix)
                                == slow.render("badges.html", essay=essay, labels=labels, id_prefix=prefix))
    # One render per term and default-ness for no percentage, any whole number, and 37.5.
    assert len(fast._badges) == 2 * 3 * sum(len(scale.terms) for scale in DEFAULT_SCALES.values())


def _plain_jinja(dirs: list[str]) -> Renderer:
    """A renderer whose partials are included (not pasted) and escaped by plain Jinja."""
    from zoneinfo import ZoneInfo
    renderer = Renderer(dirs, parse_locale("en"), ZoneInfo("America/New_York"), "long")
    renderer.env.loader = jinja2.FileSystemLoader(dirs)
    renderer.env.template_class = jinja2.Template  # markupsafe's own escaping
    return renderer


_HEADER_FLAGS = list(itertools.product((None, True, False), (False, True), (None, "draft", "scheduled")))
"""Every ``is_complete``, ``show_notice`` and ``draft`` a header is rendered with."""


def _ratings_of_every_kind() -> dict[str, list[Rating]]:
    """Every term of every scale, with every kind of percentage (none, the term's, the
    author's: whole, 5.0 and 37.5)."""
    from mkdocs_essay_meta.structure.vocabulary import DEFAULT_SCALES
    percentages = ((None, False), (None, True), (0, False), (5, False), (5.0, False), (37.5, False), (100, True))
    return {name: [Rating(scale, term, percentage if percentage is not None or not default else term.percentage,
                          default) for term in scale.terms for percentage, default in percentages]
            for name, scale in DEFAULT_SCALES.items()}


_ZONES = [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-11))]


def _headers_of_every_shape(token: str, counts: tuple[int, ...]) -> list[tuple[Essay, dict[str, object]]]:
    """An essay and the other arguments of ``Renderer.header`` for every shape of header: with
    or without each text and list, each list ``counts[i % len(counts)]`` long, with every
    ``is_complete``, ``show_notice`` and ``draft``; hostile texts (the renderer's own tokens
    among them), and every term of every scale, with every kind of percentage."""
    odd = f"{_HOSTILE} {token}head0x {token}head1x {token}head12x"
    ratings = _ratings_of_every_kind()
    rated_in_turn = {name: itertools.cycle(kinds) for name, kinds in ratings.items()}
    zones = _ZONES
    headers = []
    for i, there in enumerate(itertools.product((False, True), repeat=7)):
        has_title, has_description, published, updated, rated, categorized, tagged = there
        count = counts[i % len(counts)]
        given = {name: next(rated_in_turn[name]) for name in ("status", "certainty", "importance")[:count]}
        essay = Essay(
            title="Title", description=f"{odd} {i}" if has_description else ("" if i % 2 else None),
            published=datetime(2024, 3, 1 + i % 28, i % 24, tzinfo=zones[i % 3]) if published else None,
            updated=datetime(2025, 12, 31, 23, 30, tzinfo=zones[(i + 1) % 3]) if updated else None,
            categories=tuple(f"{odd} c{n}" for n in range(count)) if categorized else (),
            tags=tuple(f"t{n} {odd}" for n in range(count)) if tagged else (),
            **(given if rated else {}), is_essay=True)
        title = f"{odd} title" if has_title else ("" if i % 2 else None)
        for is_complete, show_notice, draft in _HEADER_FLAGS:
            headers.append((essay._replace(is_complete=is_complete),
                            {"title": title, "show_notice": show_notice, "draft": draft}))
    for n in range(max(map(len, ratings.values()))):  # and every rating
        essay = Essay(**{name: kinds[n % len(kinds)] for name, kinds in ratings.items()}, is_essay=True)
        headers.append((essay, {"title": None, "show_notice": True, "draft": None}))
    return headers


@pytest.mark.parametrize("language", ["en", "de", "ja", "ru", "ar", "fa", "he", "zh_Hant_TW", "fr_CA", "hi"])
def test_dates_filled_in_from_their_fields_are_the_dates_babel_formats(language: str) -> None:
    import random
    from datetime import date
    from babel.dates import format_date, get_date_format
    locale = parse_locale(language)
    assert locale is not None
    rnd = random.Random(language)
    days = [date(1, 1, 1), date(9999, 6, 30), date(2024, 2, 29), date(1999, 12, 31), date(2000, 1, 3)]
    days += [date.fromordinal(rnd.randint(700_000, 740_000)) for _ in range(400)]
    # The locale's four widths, and patterns with fields shown for the whole date (week of the
    # year, day of the year, week-based year), quoted text and repeated fields.
    patterns = [get_date_format(width, locale=locale).pattern for width in ("short", "medium", "long", "full")]
    patterns += ["w 'week' Y, D, F", "QQQ qqqq LLLL MMMMM EEEEE e c G GGGG yy u", "d d 'd''s' dd"]
    for pattern in patterns:
        format_day = _DayFormat(pattern, locale)
        for day in days + days:  # the second time, every field is known
            assert format_day(day) == format_date(day, pattern, locale=locale), (pattern, day)


def test_headers_filled_in_per_shape_are_the_headers_jinja_rendered() -> None:
    from mkdocs_essay_meta.labels import labels_for
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("America/New_York"), "long")
    slow = _plain_jinja([TEMPLATES_DIR])
    # No locale's dates have characters to escape; this one's do.
    fast._format_day = slow._format_day = _DayFormat("d MMMM y '<&>''\"{0}%s'", fast.locale)
    hostile_labels = {name: _HOSTILE for name in
                      ("published", "updated", "ratings", "categories", "tags", "incomplete_text", "draft_title",
                       "default_percentage")}
    hostile_labels["scheduled_text"] = f"{_HOSTILE} {{date}}, {{date}} again"
    hostile_labels["out_of"] = "{value} of {max} {0} %s <&>"
    for labels in (labels_for("en", {}), labels_for("en", hostile_labels)):
        fast.refresh(labels)
        # The second time, each shape is known, and filled in with lists of other lengths.
        for counts in ((1, 2, 5), (3, 1, 2)):
            for essay, arguments in _headers_of_every_shape(fast._id_token, counts):
                expected = slow.render("header.html", essay=essay, labels=labels, **arguments)
                assert fast.header(essay, labels=labels, **arguments) == expected, (essay, arguments)
        assert len(fast._header_formats) == 2**7 * len(_HEADER_FLAGS)  # rendered once per shape


def template_and_its_partials(name: str) -> set[str]:
    """The plugin's template ``name`` and every partial it includes, at any depth."""
    found, waiting = set(), [name]
    while waiting:
        name = waiting.pop()
        found.add(name)
        source = (Path(TEMPLATES_DIR) / name).read_text(encoding="utf-8")
        waiting += [included for included in re.findall(r'include "([^"]+)"', source) if included not in found]
    return found


def test_the_header_templates_are_header_html_and_every_partial_it_includes() -> None:
    from mkdocs_essay_meta.rendering import _HEADER_TEMPLATES
    assert template_and_its_partials("essay-meta/header.html") == set(_HEADER_TEMPLATES)


@pytest.mark.parametrize("partial", ["header", "dates", "badges", "badge", "taxonomy", "notice", "draft-banner"])
def test_a_header_with_any_partial_overridden_is_rendered_by_jinja(tmp_path: Path, partial: str) -> None:
    from mkdocs_essay_meta.labels import labels_for
    # The partial as it is, and what a header's shape does not tell: the essay's title and
    # how many tags it has, each rating's term and percentage.
    source = (Path(TEMPLATES_DIR) / "essay-meta" / f"{partial}.html").read_text(encoding="utf-8")
    extra = "<i>{{ rating.label }} {{ rating.percentage }}</i>" if partial == "badge" else \
        "<i>{{ essay.title }} {{ essay.tags | length }}</i>"
    (tmp_path / "essay-meta").mkdir()
    (tmp_path / "essay-meta" / f"{partial}.html").write_text(source + extra + "\n", encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("America/New_York"), "long")
    slow = _plain_jinja([str(tmp_path), TEMPLATES_DIR])
    labels = labels_for("en", {})
    headers = _headers_of_every_shape(renderer._id_token, (1, 2, 5))[::7]
    for essay, arguments in headers:
        essay = essay._replace(title=f"Essay {len(essay.tags)}")
        html = renderer.header(essay, labels=labels, **arguments)
        assert html == slow.render("header.html", essay=essay, labels=labels, **arguments)
    assert not renderer._header_formats


# -- listings' cards --------------------------------------------------------------------------

def _cards_of_every_shape(token: str, counts: tuple[int, ...]) -> list[Card]:
    """A card of every shape card.html tells apart: with or without an excerpt, a status,
    other ratings, a published and an updated date, and tags (``counts[i % len(counts)]``
    of them); hostile texts (the renderer's own tokens among them) wherever a text is
    printed, every term of every scale with every kind of percentage, and dates that are
    the same instant written in other zones."""
    odd = f"{_HOSTILE} {token}card0x {token}card1x {token}card12x {token}cardid"
    ratings = _ratings_of_every_kind()
    rated_in_turn = {name: itertools.cycle(kinds) for name, kinds in ratings.items()}
    noon = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    cards = []
    for i, there in enumerate(itertools.product((False, True), repeat=6)):
        has_excerpt, has_status, rated_otherwise, published, updated, tagged = there
        count = counts[i % len(counts)]
        given = {name: next(rated_in_turn[name]) for name in ("certainty", "importance")[:1 + i % 2]
                 if rated_otherwise}
        if has_status:
            given["status"] = next(rated_in_turn["status"])
        essay = Essay(
            title=f"Essay {i}",
            published=(noon + timedelta(days=i % 2)).astimezone(_ZONES[i % 3]) if published else None,
            updated=datetime(2025, 12, 31, 23, 30, tzinfo=_ZONES[(i + 1) % 3]) if updated else None,
            tags=tuple(f"t{n} {odd}" for n in range(count)) if tagged else (), **given, is_essay=True)
        excerpt = f"{odd} excerpt" if has_excerpt else ("" if i % 2 else None)
        cards.append(Card(f"{odd} title {i}", f'../{i}/?a=1&b="{odd}"', f"{odd}-{i}", excerpt, essay))
    return cards


def _listing_context(cards: list[Card], labels: dict[str, str], *, grouped: bool, layout: str = "cards") -> dict:
    """What listing.html receives for a listing of these cards."""
    groups = ([CardGroup("one", f"{_HOSTILE} group", tuple(cards[::2])), CardGroup("", "", tuple(cards[1::2]))]
              if grouped else [CardGroup("", "", tuple(cards))])
    spec = ListingSpec(group="category" if grouped else None, layout=layout, heading=_HOSTILE)  # type: ignore[arg-type]
    return {"kind": "listing", "spec": spec, "groups": groups, "count": len(cards), "grouped": grouped,
            "scales": DEFAULT_SCALES, "labels": labels, "legend": legend(groups, DEFAULT_SCALES)}


def _hostile_card_labels() -> dict[str, str]:
    from mkdocs_essay_meta.labels import labels_for
    hostile = {name: _HOSTILE for name in
               ("published", "updated", "ratings", "tags", "ratings_legend", "no_group", "default_percentage")}
    hostile["out_of"] = "{value} of {max} {0} %s <&>"
    return labels_for("en", hostile)


def test_cards_filled_in_per_shape_are_the_cards_jinja_rendered() -> None:
    from mkdocs_essay_meta.labels import labels_for
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("America/New_York"), "long")
    slow = _plain_jinja([TEMPLATES_DIR])
    # No locale's dates have characters to escape; this one's do.
    fast._format_day = slow._format_day = _DayFormat("d MMMM y '<&>''\"{0}%s'", fast.locale)
    for labels in (labels_for("en", {}), _hostile_card_labels()):
        fast.refresh(labels)
        # The second time, each shape is known, and filled in with lists of other lengths.
        for counts in ((1, 2, 5), (3, 1, 2)):
            for card_heading in ("h3", "h4", _HOSTILE):
                for card in _cards_of_every_shape(fast._id_token, counts):
                    expected = slow.render("card.html", card=card, card_heading=card_heading, labels=labels)
                    assert fast.card(card, card_heading, labels) == expected, card
        # Rendered once per shape: each heading; ratings with a status, without one, or none; 4 flags.
        assert len(fast._card_formats) == 3 * 3 * 2**4


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("layout", ["cards", "table"])
def test_listings_of_filled_in_cards_are_the_listings_jinja_rendered(grouped: bool, layout: str) -> None:
    from mkdocs_essay_meta.labels import labels_for
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("America/New_York"), "long")
    slow = _plain_jinja([TEMPLATES_DIR])
    for labels in (labels_for("en", {}), _hostile_card_labels()):
        fast.refresh(labels)
        for counts in ((1, 2, 5), (3, 1, 2)):
            context = _listing_context(_cards_of_every_shape(fast._id_token, counts), labels, grouped=grouped,
                                       layout=layout)
            assert fast.listing(**context) == slow.render("listing.html", **context)
        assert context["count"] and context["legend"]
        assert bool(fast._card_formats) == (layout == "cards")  # cards are filled in, not rendered by Jinja
    empty = _listing_context([], labels, grouped=grouped, layout=layout)
    assert fast.listing(**empty) == slow.render("listing.html", **empty)


def test_the_card_templates_are_card_html_and_every_partial_it_includes() -> None:
    from mkdocs_essay_meta.rendering import _CARD_TEMPLATES
    assert template_and_its_partials("essay-meta/card.html") == set(_CARD_TEMPLATES)


@pytest.mark.parametrize("partial", ["listing", "card", "dates", "badges", "badge"])
def test_a_listing_with_any_card_partial_overridden_is_rendered_by_jinja(tmp_path: Path, partial: str) -> None:
    from mkdocs_essay_meta.labels import labels_for
    # The partial as it is, and what a card's shape does not tell: the essay's title, how many
    # tags it has, the card's id prefix, each rating's term and percentage.
    source = (Path(TEMPLATES_DIR) / "essay-meta" / f"{partial}.html").read_text(encoding="utf-8")
    extra = {"listing": "<i>{{ count }} {{ groups | length }}</i>",
             "badge": "<i>{{ rating.label }} {{ rating.percentage }} {{ id_prefix }}</i>"}.get(
        partial, "<i>{{ essay.title }} {{ essay.tags | length }} {{ card.id_prefix }}</i>")
    (tmp_path / "essay-meta").mkdir()
    (tmp_path / "essay-meta" / f"{partial}.html").write_text(source + extra + "\n", encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("America/New_York"), "long")
    slow = _plain_jinja([str(tmp_path), TEMPLATES_DIR])
    labels = labels_for("en", {})
    for grouped in (False, True):
        context = _listing_context(_cards_of_every_shape(renderer._id_token, (1, 2, 5)), labels, grouped=grouped)
        html = renderer.listing(**context)
        assert html == slow.render("listing.html", **context)
        assert "<i>" in html  # the override's
    assert not renderer._card_formats


def test_badges_kept_for_every_card_get_each_cards_id_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's own badge.html gives a card's badges no id; were it to, each card's badges,
    kept once per kind of rating, would still have the card's own prefix."""
    from markupsafe import escape
    from mkdocs_essay_meta import rendering
    from mkdocs_essay_meta.labels import labels_for
    source = (Path(TEMPLATES_DIR) / "essay-meta" / "badge.html").read_text(encoding="utf-8")
    with_ids = source.replace('{% if not in_listing %} tabindex="0"', '{% if true %} tabindex="0"')
    assert with_ids != source
    (tmp_path / "essay-meta").mkdir()
    (tmp_path / "essay-meta" / "badge.html").write_text(with_ids, encoding="utf-8")
    monkeypatch.setattr(rendering, "is_own_template", lambda filename: True)  # as if it were the plugin's
    fast = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow = _plain_jinja([str(tmp_path), TEMPLATES_DIR])
    labels = labels_for("en", {})
    cards = _cards_of_every_shape(fast._id_token, (1, 2, 5))
    for card in cards + cards:
        assert fast.card(card, "h3", labels) == slow.render("card.html", card=card, card_heading="h3", labels=labels)
    rated = [card for card in cards if card.essay.ratings]
    assert all(f'aria-describedby="{escape(card.id_prefix)}-' in fast.card(card, "h3", labels) for card in rated)
    assert fast._card_formats


def test_fields_are_filled_in_wherever_their_tokens_were() -> None:
    from mkdocs_essay_meta.rendering import _Fields
    fields = _Fields("{a} T0x and T1x, T0x again }{ %s", ["T0x", "T1x", "T2x"])  # T2x: not printed
    assert fields(["<0>", "{1}", "unused"]) == "{a} <0> and {1}, <0> again }{ %s"
    assert _Fields("only T1x.", ["T0x", "T1x"])(["a", "b"]) == "only b."
    assert _Fields("T0x", ["T0x"])(["a"]) == "a"
    assert _Fields("no field", ["T0x"])(["a"]) == _Fields("no field", [])([]) == "no field"


def test_citations_rendered_once_per_shape_are_the_same_as_rendered_each_time() -> None:
    from mkdocs_essay_meta.labels import labels_for
    from mkdocs_essay_meta.structure.bibliography import Reference
    from mkdocs_essay_meta.structure.citations import CitedItem, NumberedReference, render_once_per_shape
    from zoneinfo import ZoneInfo
    renderer = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    labels = labels_for("en", {})
    macro = renderer.env.get_template("essay-meta/citation.html").make_module({"labels": labels}).citation

    def each_time(items: list[CitedItem]) -> str:
        return str(macro(items, labels))

    once = render_once_per_shape(each_time)
    plain = NumberedReference(1, Reference(key="plain", title="Plain", authors=("Able, A.",), issued="2001"))
    odd = NumberedReference(12, Reference(key="a&b<c>", title="Quotes \" and ' and {0} <b>&amp;\non two lines"))
    citations = [
        [CitedItem("plain", plain, "essay-meta-cite-1-1")],
        [CitedItem("a&b<c>", odd, "essay-meta-cite-12-3"), CitedItem("x<y>&'\"{1}", None, None)],
        [CitedItem("gone", None, None)],
        [CitedItem("plain", plain, "essay-meta-cite-1-2"), CitedItem("gone", None, None),
         CitedItem("a&b<c>", odd, "essay-meta-cite-12-4")],
    ]
    for items in citations + citations:  # the second time, every shape is known already
        assert once(items) == each_time(items)


def test_a_shape_keeps_the_braces_and_newlines_of_its_template() -> None:
    from markupsafe import escape
    from mkdocs_essay_meta.structure.citations import CitedItem, render_once_per_shape

    def each_time(items: list[CitedItem]) -> str:
        return "{x}\n" + ", ".join(f"{{{escape(item.key)}}}" for item in items) + " {}"

    once = render_once_per_shape(each_time)
    for items in ([CitedItem("a", None, None)], [CitedItem("<b>", None, None), CitedItem("{0}", None, None)]):
        assert once(items) == each_time(items)


def test_override_of_one_partial_applies_and_edits_are_seen_after_refresh(tmp_path: Path) -> None:
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    override = tmp_path / "essay-meta" / "badge.html"
    override.parent.mkdir()
    override.write_text('<b class="mine">{{ rating.label }}</b>\n', encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    sample = _essays()[0]
    html = renderer.header(sample, title="T", labels=labels_for("en", {}), draft=None, show_notice=True)
    assert '<b class="mine">In Progress</b>' in html
    override.write_text('<i class="edited">{{ rating.label }}</i>\n', encoding="utf-8")
    stamp = time.time() + 5
    os.utime(override, (stamp, stamp))
    renderer.refresh(None)
    html = renderer.header(sample, title="T", labels=labels_for("en", {}), draft=None, show_notice=True)
    assert '<i class="edited">In Progress</i>' in html


def test_syntax_error_in_a_partial_names_that_partial(tmp_path: Path) -> None:
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    override = tmp_path / "essay-meta" / "dates.html"
    override.parent.mkdir()
    override.write_text("line one\n{% if %}\n", encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        renderer.header(_essays()[0], title="T", labels=labels_for("en", {}), draft=None, show_notice=True)
    assert caught.value.filename is not None and caught.value.filename.endswith("dates.html")
    assert caught.value.lineno == 2



def test_error_while_rendering_a_partial_points_at_that_partial(tmp_path: Path) -> None:
    """Partials are rendered without Template.render; Jinja's traceback rewriting still applies."""
    import traceback
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    override = tmp_path / "essay-meta" / "taxonomy.html"
    override.parent.mkdir()
    override.write_text("line one\n{{ range(3) | join(',') }}\n{{ 1 // 0 }}\n", encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    with pytest.raises(ZeroDivisionError) as caught:
        renderer.header(_essays()[0], title="T", labels=labels_for("en", {}), draft=None, show_notice=True)
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    # The partial is pasted into header.html when loaded: the frame is that template's code.
    assert last.filename.endswith("essay-meta/header.html") and last.name == "top-level template code"


def test_jinja_globals_are_available_to_partials(tmp_path: Path) -> None:
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    override = tmp_path / "essay-meta" / "taxonomy.html"
    override.parent.mkdir()
    override.write_text("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
                        "{% endfor %}<b>{{ ns.n }}</b>\n", encoding="utf-8")
    renderer = Renderer([str(tmp_path), TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    html = renderer.header(_essays()[0], title="T", labels=labels_for("en", {}), draft=None, show_notice=True)
    assert "<b>6</b>" in html

# -- the header goes into the HTML, not into page.content ---------------------------------------

def test_header_is_rendered_once_and_no_marker_is_left(tmp_path: Path, theme: str) -> None:
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": SAMPLE_ESSAY}, theme=theme,
                      extra={"plugins": ["essay-meta", "search"]})
    text = site.text("essay/index.html")
    assert text.count('<header class="essay-meta">') == 1
    assert "essay-meta:header" not in text
    # Search indexes the essay, not the badges' explanations repeated on every page.
    docs = json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    essay_text = " ".join(d["text"] for d in docs if d["location"].startswith("essay/"))
    assert "Large Language Models" in essay_text
    assert "How finished the essay is" not in essay_text


@pytest.mark.parametrize("head", [
    '<title lang="en">{{ page.title }}</title>\n',  # not the form themes write: found by the pattern
    '<TITLE>{{ page.title }}</TITLE>\n<META NAME="description" content="theirs">\n',
])
def test_every_insertion_into_a_page_lands_where_it_belongs(tmp_path: Path, head: str) -> None:
    # A theme of one template: every edit of the written page (title, description, JSON-LD,
    # header, references, a listing) is found in the page as written and made in one copy.
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "main.html").write_text(
        "<!doctype html>\n<html><head>\n" + head + "</head>\n<body>\n{{ page.content }}\n</body></html>\n",
        encoding="utf-8")
    essay = SAMPLE_ESSAY.replace('meta_title: ""', 'meta_title: "Shown in the tab"')
    essay = essay.replace("\n---\n", "\n---\n\nBefore the listing.\n\n<!-- essay-meta:listing -->\n\nAfter it.\n", 1)
    assert "Before the listing." in essay
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": essay},
                      theme={"name": None, "custom_dir": "theme"})
    text = site.text("essay/index.html")
    head_html, body = text.split("</head>")
    assert re.findall(r"(?i)<title[^>]*>[^<]*</title>", head_html) == ["<title>Shown in the tab</title>"]
    descriptions = re.findall(r'(?i)<meta name="description"[^>]*>', head_html)
    assert len(descriptions) == 1 and "theirs" not in descriptions[0]
    # Added at the end of the head, in this order, when the theme wrote no description.
    script_at = head_html.index('<script type="application/ld+json">')
    if "theirs" not in head:
        assert head_html.rstrip().endswith(descriptions[0]) and script_at < head_html.index(descriptions[0])
    positions = [body.index(part) for part in (
        '<header class="essay-meta">', "Before the listing.", 'class="essay-meta-listing', "After it.",
        'class="essay-meta-bibliography')]
    assert positions == sorted(positions)
    assert "essay-meta:" not in text and "essaymeta" not in text
    assert text.startswith("<!doctype html>") and text.rstrip().endswith("</body></html>")


def test_ratings_kept_per_word_are_the_ratings_made_afresh() -> None:
    from mkdocs_essay_meta.structure.essay import ParseOptions
    values: list[object] = ["draft", "In Progress", "nonsense", "", 7, 11, True, 2.0, "8",
                            {"value": "likely"}, {"value": "likely", "percentage": 40},
                            {"value": "likely", "percentage": 0}, {"value": "likely", "percentage": 100},
                            {"value": "likely", "percentage": 101}, {"value": "likely", "percentage": 40.4},
                            {"value": "likely", "percentage": None}, {"value": "nonsense", "percentage": 40},
                            {"value": 3, "percentage": 40}, {"value": "draft", "other": 1}, {"percentage": 40}]
    kept = ParseOptions()
    for _ in range(2):  # the second time, from what was kept
        for value in values:
            meta = {"status": value, "certainty": value, "importance": value}
            fresh_essay, fresh_problems = parse_essay(meta, ParseOptions())
            kept_essay, kept_problems = parse_essay(meta, kept)
            assert kept_essay == fresh_essay
            assert kept_problems == fresh_problems


def test_headers_rendered_ahead_of_their_pages_are_the_headers_each_page_asks_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs_essay_meta import plugin
    pages = {"index.md": "# Home\n"}
    for n in range(45):  # more than one batch; pages of every kind in between
        kind = n % 5
        if kind == 0:
            pages[f"e{n:02}.md"] = essay(f"title: Essay {n}\nstatus: notes\ncertainty: {{value: likely, percentage: {n}}}")
        elif kind == 1:
            pages[f"e{n:02}.md"] = essay(f"title: Essay {n}\nstatus: draft", body=f"# Own heading {n}\n\nText.\n")
        elif kind == 2:
            pages[f"e{n:02}.md"] = essay(f"status: finished\nimportance: {n % 11}")  # title from the file name
        elif kind == 3:
            pages[f"e{n:02}.md"] = essay(f"title: Draft {n}\ndraft: true\nstatus: notes")
        else:
            pages[f"e{n:02}.md"] = essay(f"title: Plain page {n}")  # no essay
    header_re = re.compile(r'<header class="essay-meta">.*?</header>', re.DOTALL)

    def headers(root: Path) -> dict[str, list[str]]:
        return _found_in_each_page_of_a_build(root, pages, header_re)

    from mkdocs_essay_meta.rendering import Renderer as Rendering
    renders: list[object] = []
    render = Rendering.header
    monkeypatch.setattr(Rendering, "header", lambda self, essay, **kw: renders.append(essay) or render(self, essay, **kw))
    ahead = headers(tmp_path / "ahead")
    # Each essay with its own title once (ahead of its page, but the first); those starting
    # with their own h1 once more for their page; those without a title only for their page.
    assert len(renders) == 9 + 9 * 2 + 9
    renders.clear()
    monkeypatch.setattr(plugin, "_HEADERS_AHEAD", 0)
    alone = headers(tmp_path / "alone")
    assert len(renders) == 27
    assert ahead == alone
    assert sum(1 for found in ahead.values() if found) == 27  # every essay but the drafts


# -- the reference list -----------------------------------------------------------------------

_HOSTILE = 'Quotes " and \' <b>&amp; 50% %s %(title)s {0} {{ x }} }{ essaymetaidprefix text1x'


def _hostile_references(token: str) -> list[Reference]:
    """Entries of every shape bibliography-entry.html tells apart, with hostile texts (and
    the renderer's own token) where they are printed."""
    odd = f"{_HOSTILE} {token}text1x {token}text12x."
    return [
        Reference(text=odd),
        Reference(title=odd),
        Reference(title="Ends with a question?", url='https://a.org/?q=1&r="2"<3>'),
        Reference(url="https://a.org/ends-with-a-dot.", key="k"),
        Reference(doi="10.1000/<b>&#x\"%s{0}", key="doi-only"),
        Reference(key=odd),
        Reference(title="T", authors=("",), issued=odd),
        Reference(title="T!", authors=("Able, A.",)),
        Reference(title="T", authors=("Able, A.", "et al.")),
        Reference(title="T", authors=("Able, A.", "Baker, B.", odd)),
        Reference(title="T", authors=("Able, A.", "")),
        Reference(authors=("Able, A.",), issued="2001", key="no-title"),
        Reference(authors=("Able, A.",), key="no-title-nor-year"),
        Reference(issued="2001", key="year-only"),
        Reference(title=odd, url="https://a.org", authors=(odd, odd), issued=odd, journal=odd, publisher=odd,
                  volume=odd, issue=odd, pages=odd, doi="10.1000/182", accessed=odd, note=odd, key="all"),
        Reference(title="Source parts", volume="3", pages="1-2"),
        Reference(title="Source parts", journal="J", issue="4"),
    ]


def test_entries_rendered_once_per_shape_are_the_entries_jinja_rendered(tmp_path: Path) -> None:
    from markupsafe import Markup
    from mkdocs_essay_meta.labels import labels_for
    from zoneinfo import ZoneInfo
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    # bibliography-entry.html as it was, testing the punctuation in Jinja, rendered for each
    # entry by plain Jinja.
    source = (Path(TEMPLATES_DIR) / "essay-meta" / "bibliography-entry.html").read_text(encoding="utf-8")
    as_it_was = (source
                 .replace("{% if issued or not ref.author_text_ends_with_period %}",
                          '{% if not (author_text[-1:] == "." and not issued) %}')
                 .replace("{% if not ref.title_ends_sentence %}", '{% if title[-1:] not in ".?!" %}'))
    assert as_it_was.count('[-1:]') == 2
    (tmp_path / "essay-meta").mkdir()
    (tmp_path / "essay-meta" / "bibliography-entry.html").write_text(as_it_was, encoding="utf-8")
    slow = Renderer([str(tmp_path)], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow.env.loader = jinja2.FileSystemLoader([str(tmp_path)])
    slow.env.template_class = jinja2.Template  # markupsafe's own escaping
    references = _hostile_references(fast._id_token)
    for labels in (labels_for("en", {}), labels_for("en", {"accessed": _HOSTILE})):
        fast.refresh(labels)
        expected = [Markup(slow.render("bibliography-entry.html", reference=reference, labels=labels).strip())
                    for reference in references]
        assert fast.entries(references, labels) == expected
        assert fast.entries(references[::-1], labels) == expected[::-1]  # each shape known now
        assert len(fast._entry_formats) > 10  # rendered once per shape, not by Jinja for each


def test_lists_put_together_from_items_are_the_lists_jinja_rendered() -> None:
    from markupsafe import Markup
    from mkdocs_essay_meta.labels import labels_for
    from mkdocs_essay_meta.structure.citations import NumberedReference
    from zoneinfo import ZoneInfo
    fast = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow = Renderer([TEMPLATES_DIR], parse_locale("en"), ZoneInfo("UTC"), "long")
    slow.env.loader = jinja2.FileSystemLoader([TEMPLATES_DIR])
    slow.env.template_class = jinja2.Template  # markupsafe's own escaping

    def entry(number: int, backlinks: int) -> NumberedReference:
        return NumberedReference(number, Reference(title=f"T{number}"), backlinks)

    # Entry texts as bibliography-entry.html gives them (already escaped), with braces, percents
    # and the renderer's own tokens.
    texts = [Markup(f"<cite>{_HOSTILE} {fast._id_token}item{n}x</cite>") for n in range(4)] + [Markup("")]
    pages = [[], [entry(1, 0)], [entry(1, 1), entry(2, 0), entry(3, 2)], [entry(n, n % 4) for n in range(1, 13)],
             [entry(7, 9)]]
    for labels in (labels_for("en", {}), labels_for("de", {"back_to_citation": _HOSTILE})):
        fast.refresh(labels)
        for entries in pages + pages[::-1]:  # the second time, each item is known
            entry_html = [texts[n % len(texts)] for n in range(len(entries))]
            assert (fast.bibliography(entries, entry_html, labels)
                    == slow.render("bibliography.html", references=entries, entry_html=entry_html, labels=labels))
        assert len(fast._list_formats) == 5  # one item per number of back links, not a render per list


def test_lists_rendered_ahead_of_their_pages_are_the_lists_each_page_asks_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter
    from mkdocs_essay_meta import plugin
    pages = {"index.md": "# Home\n"}
    for n in range(45):  # more than one batch; pages of every kind in between
        references = f"bibliography:\n- key: a{n}\n  title: Source {n}\n- title: Other {n}?\n  link: https://a.org/{n}"
        kind = n % 5
        if kind == 0:
            pages[f"e{n:02}.md"] = essay(f"title: Essay {n}\nstatus: notes\n{references}", body=f"Cites [@a{n}].\n")
        elif kind == 1:
            pages[f"e{n:02}.md"] = essay(f"status: finished\n{references}")  # title from the file name
        elif kind == 2:
            pages[f"e{n:02}.md"] = essay(f"title: Draft {n}\ndraft: true\n{references}")
        elif kind == 3:
            pages[f"e{n:02}.md"] = essay(f"title: Plain page {n}\n{references}")  # no essay
        else:
            pages[f"e{n:02}.md"] = essay(f"title: Essay {n}\nstatus: notes")  # no references
    list_re = re.compile(r'<div class="essay-meta-bibliography">.*?</div>|<script type="application/ld\+json">.*?</script>',
                         re.DOTALL)

    def lists(root: Path) -> dict[str, list[str]]:
        return _found_in_each_page_of_a_build(root, pages, list_re)

    renders: list[tuple[int, str]] = []  # (the page being written, the title of the list rendered)
    written = [0]
    render, post_page = plugin.EssayMetaPlugin._render_references_html, plugin.EssayMetaPlugin.on_post_page
    monkeypatch.setattr(plugin.EssayMetaPlugin, "_render_references_html",
                        lambda self, entries, title: renders.append((written[0], title)) or render(self, entries, title))
    monkeypatch.setattr(plugin.EssayMetaPlugin, "on_post_page",
                        lambda self, output, **kw: written.__setitem__(0, written[0] + 1) or post_page(self, output, **kw))
    ahead = lists(tmp_path / "ahead")
    ahead_renders = list(renders)
    renders.clear()
    monkeypatch.setattr(plugin, "_REFERENCES_AHEAD", 0)
    alone = lists(tmp_path / "alone")
    assert ahead == alone
    assert sum(1 for found in ahead.values() if len(found) == 2) == 27  # a list and its script
    # Each list once, with the title its page gives it; most of them in a row, ahead of their pages.
    assert len(renders) == 27 and sorted(title for _, title in ahead_renders) == sorted(title for _, title in renders)
    assert max(Counter(page for page, _ in ahead_renders).values()) > 10
    assert max(Counter(page for page, _ in renders).values()) == 1


def _found_in_each_page_of_a_build(root: Path, pages: dict[str, str], pattern: re.Pattern[str]) -> dict[str, list[str]]:
    """What ``pattern`` finds in each written page (but the home page) of a one-off build of ``pages``."""
    from conftest import write_site
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    config = load_config(str(write_site(root, pages)), site_dir=str(root / "site"))
    # As `mkdocs build` does (the plugin instance may be one an earlier test served with).
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    site = root / "site"
    return {name: pattern.findall((site / name[:-3] / "index.html").read_text(encoding="utf-8"))
            for name in pages if name != "index.md" and (site / name[:-3] / "index.html").exists()}


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_while_on_files_reads_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               enabled_before: bool) -> None:
    """What on_files makes stays, so the collector would walk it for nothing; it is paused for
    the reading, and left as it was after (on, or off as a program had it)."""
    import gc
    from mkdocs_essay_meta.plugin import EssayMetaPlugin
    during: list[bool] = []
    after: list[bool] = []
    read_source, read = EssayMetaPlugin._read_source, EssayMetaPlugin._read
    monkeypatch.setattr(EssayMetaPlugin, "_read_source",
                        lambda self, file: during.append(gc.isenabled()) or read_source(self, file))
    monkeypatch.setattr(EssayMetaPlugin, "_read",
                        lambda self, file, source: during.append(gc.isenabled()) or read(self, file, source))
    (tmp_path / "hooks.py").write_text(
        "import gc, os\n"
        "def on_nav(nav, config, files):\n"
        "    open(os.environ['ESSAY_META_GC'], 'w').write(str(gc.isenabled()))\n", encoding="utf-8")
    monkeypatch.setenv("ESSAY_META_GC", str(tmp_path / "gc.txt"))
    was = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        build_site(tmp_path, {"a.md": essay("title: A"), "b.md": SAMPLE_ESSAY}, extra={"hooks": ["hooks.py"]})
        after.append(gc.isenabled())
    finally:
        (gc.enable if was else gc.disable)()
    assert during == [False] * 4
    assert (tmp_path / "gc.txt").read_text() == str(enabled_before)
    assert after == [enabled_before]


@pytest.mark.parametrize("enabled", [True, False])
def test_a_young_collection_starts_each_page_mkdocs_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         enabled: bool) -> None:
    """The last page's Markdown instance is garbage when the next page is read: collected
    young there, as PyYAML's allocations had it collected without the plugin (see
    _collect_young_garbage). Not with the collector off: a program that turned it off wants
    no collections."""
    import gc
    events: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            events.append(f"gen{info['generation']}")

    (tmp_path / "hooks.py").write_text(
        "import os\n"
        "def on_page_markdown(markdown, page, config, files):\n"
        "    os.environ['ESSAY_META_READ'] += page.file.src_uri + ' '\n", encoding="utf-8")
    monkeypatch.setenv("ESSAY_META_READ", "")
    pages = {"a.md": essay("title: A"), "b.md": SAMPLE_ESSAY, "c.md": "# No front matter\n", "index.md": "Home.\n"}
    from mkdocs_essay_meta import plugin as plugin_module
    collect = plugin_module._collect_young_garbage

    def marked() -> None:
        events.append("page")
        collect()

    monkeypatch.setattr(plugin_module, "_collect_young_garbage", marked)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    gc.callbacks.append(seen)
    try:
        build_site(tmp_path, pages, extra={"hooks": ["hooks.py"]})
    finally:
        gc.callbacks.remove(seen)
        (gc.enable if was else gc.disable)()
    read = os.environ["ESSAY_META_READ"].split()
    assert sorted(read) == sorted(pages)  # every page was read, through the plugin's hand-off
    assert events.count("page") == len(pages)
    next_events = [events[i + 1] if i + 1 < len(events) else None for i, event in enumerate(events) if event == "page"]
    if enabled:
        assert next_events == ["gen0"] * len(pages)
    else:
        assert "gen0" not in next_events


@pytest.mark.parametrize("case", ["build", "serve", "frozen before", "collector off", "error"])
def test_what_lives_after_on_files_is_frozen_for_one_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             case: str) -> None:
    """A one-off build keeps what is alive after on_files out of the collector's passes until
    it ends, failed or not; a serve build does not, nor does a build in a program that froze
    objects itself or turned the collector off."""
    import gc
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    (tmp_path / "hooks.py").write_text(
        "import gc, os\n"
        "def on_page_markdown(markdown, page, config, files):\n"
        "    os.environ['ESSAY_META_FROZEN'] += f'{gc.get_freeze_count()} '\n"
        "    if os.environ.get('ESSAY_META_FAIL'):\n"
        "        raise RuntimeError('this page fails')\n", encoding="utf-8")
    monkeypatch.setenv("ESSAY_META_FROZEN", "")
    if case == "error":
        monkeypatch.setenv("ESSAY_META_FAIL", "1")
    config_file = write_site(tmp_path, {"a.md": essay("title: A"), "index.md": "Home.\n"}, extra={"hooks": ["hooks.py"]})
    config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="serve" if case == "serve" else "build", dirty=False)
    was_enabled = gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.collect()
    if case == "frozen before":
        gc.freeze()
    if case == "collector off":
        gc.disable()
    before = gc.get_freeze_count()
    try:
        if case == "error":
            with pytest.raises(RuntimeError, match="this page fails"):
                build(config)
        else:
            build(config)
        after = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        (gc.enable if was_enabled else gc.disable)()
    during = [int(count) for count in os.environ["ESSAY_META_FROZEN"].split()]
    assert during
    if case in ("build", "error"):
        assert all(count > 1000 for count in during)  # (the interpreter's own objects at least)
        assert after == 0
    elif case == "frozen before":  # left as it was (frozen objects may die, not be added)
        assert max(during) <= before and 0 < after <= before
    else:
        assert during == [0] * len(during) and after == 0


# -- memory: what a one-off build lets go of --------------------------------------------------

_ONE_OFF_BIB = """@book{shared,
  title = {A source two essays cite},
  author = {Writer, Some},
  year = {2019},
}
"""


def _one_off_site(root: Path, theme: str, plugin: dict[str, Any] | None = None) -> Path:
    """Essays before and after the pages hosting listings, with their own and shared sources,
    citations, ratings given with percentages, and an essay whose card takes its title from
    its page."""
    (root / "refs.bib").write_text(_ONE_OFF_BIB, encoding="utf-8")
    pages = {
        "index.md": "# Home\n\n<!-- essay-meta:listing -->\n",
        "zz-all.md": "# Every essay\n\n<!-- essay-meta:listing group=status -->\n",
    }
    for n in range(12):
        sources = "".join(f"  - title: Source {n}.{k}\n    link: https://example.org/{n}/{k}\n    key: s{n}k{k}\n"
                          for k in range(n % 4))
        front = (("" if n == 5 else f"title: Essay {n}\n") + f"status: {('draft', 'notes', 'finished')[n % 3]}\n"
                 f"certainty: {{value: likely, percentage: {60 + n}}}\nimportance: {n % 10}\n"
                 f"tags: [t{n % 3}, shared]\nfeatured: {'true' if n % 4 == 0 else 'false'}\n"
                 f"date: 2024-0{1 + n % 9}-1{n % 10}\n"
                 + (f"bibliography:\n{sources}  - '@shared'\n" if n % 4 else ""))
        cited = " ".join(f"[@s{n}k{k}]" for k in range(n % 4)) + (" [@shared]" if n % 4 else "")
        pages[f"{'aa' if n < 6 else 'mm'}-essay-{n:02}.md"] = essay(front, f"# Heading {n}\n\nText {cited}.\n")
    return write_site(root, pages, theme=theme, plugin={"bibliography_files": ["refs.bib"], **(plugin or {})})


def _build(config_file: Path, site_dir: Path, *, one_off: bool) -> dict[str, str]:
    """Build; every HTML page written, by path."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    config = load_config(str(config_file), site_dir=str(site_dir))
    if one_off:
        config.plugins.on_startup(command="build", dirty=False)
    build(config)
    # (less the build time the mkdocs theme writes into every page)
    return {str(p.relative_to(site_dir)): re.sub(r"Build Date UTC : [^\n]*", "", p.read_text(encoding="utf-8"))
            for p in sorted(site_dir.rglob("*.html"))}


def test_a_one_off_build_lets_go_of_each_page_once_written_and_writes_the_same_site(
        tmp_path: Path, theme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mkdocs build`` (a one-off build) lets go of a page's record, essay and sources once
    the page is written, its listings having their entries from on_env: every page is the
    page a program's build (which keeps them for the next build) writes."""
    from mkdocs_essay_meta.plugin import _WRITTEN, EssayMetaPlugin
    config_file = _one_off_site(tmp_path, theme)
    kept = _build(config_file, tmp_path / "kept", one_off=False)
    let_go: list[tuple[str, bool]] = []
    with_sources: list[int] = []
    written = EssayMetaPlugin.on_post_page

    def on_post_page(self: EssayMetaPlugin, output: str, **kwargs: Any) -> str | None:
        result = written(self, output, **kwargs)
        src = kwargs["page"].file.src_uri
        let_go.append((src, self._records.get(src) is _WRITTEN))
        # Listing entries keep the essays of pages not written yet whole, the others without sources.
        done = {uri for uri, _ in let_go}
        assert self._entries is not None
        assert all(not entry.essay.bibliography for entry in self._entries if entry.src_uri in done)
        with_sources.append(sum(1 for entry in self._entries if entry.essay.bibliography))
        return result

    monkeypatch.setattr(EssayMetaPlugin, "on_post_page", on_post_page)
    one_off = _build(config_file, tmp_path / "one-off", one_off=True)
    assert let_go and all(gone for _, gone in let_go), let_go
    assert len(let_go) == 14
    assert with_sources[0] == 9 and with_sources[-1] == 0  # (essays 1-3, 5-7, 9-11 list sources)
    assert one_off.keys() == kept.keys()
    for path, page in kept.items():
        assert one_off[path] == page, path
    # Not two empty sites: the last page's listing shows every essay, the first essays' too,
    # and the essays list their sources.
    soup = BeautifulSoup(one_off["zz-all/index.html"] if "zz-all/index.html" in one_off else one_off["zz-all.html"],
                         "html.parser")
    titles = [a.get_text() for a in soup.select(".essay-meta-card__title a")]
    assert len(titles) == 12 and "Essay 0" in titles and "Heading 5" in titles
    first = next(path for path in one_off if "aa-essay-01" in path)
    assert "Source 1.0" in one_off[first] and "A source two essays cite" in one_off[first]


def test_cards_of_ones_own_see_each_essays_sources_in_a_one_off_build(tmp_path: Path) -> None:
    """The plugin's cards show nothing of an essay's sources, so a one-off build's listings
    keep essays without them; a card.html of one's own sees them all."""
    overrides = tmp_path / "overrides" / "essay-meta"
    overrides.mkdir(parents=True)
    (overrides / "card.html").write_text(
        '<article class="mine">{{ card.title }}: {{ card.essay.bibliography | length }} sources</article>\n',
        encoding="utf-8")
    config_file = _one_off_site(tmp_path, {"name": "mkdocs", "custom_dir": "overrides"})  # type: ignore[arg-type]
    pages = _build(config_file, tmp_path / "site", one_off=True)
    # The home page is written before the essays, the last page after them.
    for page in ("index.html", "zz-all/index.html"):
        cards = BeautifulSoup(pages[page], "html.parser").select("article.mine")
        shown = {card.get_text() for card in cards}
        assert len(shown) == 12, page
        assert {"Essay 0: 0 sources", "Essay 1: 2 sources", "Essay 10: 3 sources", "Essay 3: 4 sources"} <= shown


def test_a_one_off_build_lets_babel_forget_the_locale_data_it_loaded(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Babel keeps every locale's data it loads for the life of the process (about 4 MiB for
    one language): a one-off build takes the dates' texts from it and lets Babel forget it.
    While serving, it stays for the next rebuild."""
    import babel.core
    import babel.localedata
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    (tmp_path / "hooks.py").write_text(  # whether a locale holding its data lives while pages are written
        "import gc, os\n"
        "from babel import Locale\n"
        "def on_post_page(output, page, config):\n"
        "    gc.unfreeze()  # (gc.get_objects() does not list frozen objects)\n"
        "    loaded = [o for o in gc.get_objects() if isinstance(o, Locale) and o._Locale__data is not None]\n"
        "    os.environ['ESSAY_META_LOADED'] += f'{len(loaded)} '\n", encoding="utf-8")
    config_file = write_site(tmp_path, {"index.md": essay("title: A\ndate: 2024-03-05\nupdated: 2025-11-30"),
                                        "b.md": essay("title: B\ndate: 0999-12-31")},
                             theme={"name": "mkdocs", "locale": "de"}, plugin={"date_format": "full"},
                             extra={"hooks": ["hooks.py"]})
    for command in ("build", "serve"):
        monkeypatch.setattr(babel.localedata, "_cache", {})
        monkeypatch.setattr(babel.localedata, "_dict_cache", {}, raising=False)
        monkeypatch.setattr(babel.core, "_global_data", None)
        monkeypatch.setenv("ESSAY_META_LOADED", "")
        config = load_config(str(config_file), site_dir=str(tmp_path / command))
        config.plugins.on_startup(command=command, dirty=False)
        build(config)
        page = (tmp_path / command / "index.html").read_text(encoding="utf-8")
        assert "Dienstag, 5. März 2024" in page and "Sonntag, 30. November 2025" in page
        assert "Dienstag, 31. Dezember 999" in (tmp_path / command / "b" / "index.html").read_text(encoding="utf-8")
        if command == "build":  # nothing loaded it again while the pages were written, nor holds it
            assert not babel.localedata._cache and babel.core._global_data is None
            assert os.environ["ESSAY_META_LOADED"].split() == ["0", "0"]
        else:
            assert "de" in babel.localedata._cache and babel.core._global_data is not None


def test_a_rating_with_the_authors_percentage_is_made_once_per_percentage() -> None:
    from mkdocs_essay_meta.structure.essay import ParseOptions
    options = ParseOptions()
    ratings = [parse_essay({"certainty": {"value": "likely", "percentage": pct}}, options)[0].certainty
               for pct in (70, 70, 71)]
    assert ratings[0] is ratings[1] and ratings[0] == ratings[1]
    assert ratings[2] is not None and ratings[2].percentage == 71 and ratings[0].percentage == 70
    again = parse_essay({"certainty": {"value": "likely", "percentage": 70}}, options)[0].certainty
    assert again is ratings[0]


def test_the_citation_renderer_keeps_only_the_last_few_hundred_keys_and_labels() -> None:
    """Kept for a whole build, the escaped labels held every cited entry (and so every page's
    sources) until the build ended; the renderer keeps the last 256, and renders the same."""
    from mkdocs_essay_meta.structure.citations import CitedItem, NumberedReference, render_once_per_shape
    render = render_once_per_shape(
        lambda items: "".join(f"[{item.key}|{item.entry.reference.label if item.entry else ''}]" for item in items))
    references = [Reference(title=f"Title <{n}>", key=f"k{n}") for n in range(1000)]
    for _ in range(2):
        for n, reference in enumerate(references):
            html = render([CitedItem(f"k{n}", NumberedReference(1, reference, 1), "essay-meta-cite-1-1")])
            assert html == f"[k{n}|Title &lt;{n}&gt;]"
    kept = dict(zip(render.__code__.co_freevars, (cell.cell_contents for cell in render.__closure__ or ())))
    assert 0 < len(kept["escaped_labels"]) <= 256 and 0 < len(kept["escaped_keys"]) <= 256

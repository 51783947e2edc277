"""A serve that runs all day: many rebuilds of one site in one process, as ``mkdocs serve`` does.

``mkdocs serve`` loads the configuration again for every rebuild but keeps the instance of a
plugin whose class defines ``on_startup`` (MkDocs' plugin cache); these tests do the same and
check that the instance is indeed reused. They check that identical input gives identical
output, that memory does not grow from build to build (tracemalloc), and that nothing of an
earlier build leaks into a later one: a deleted essay is forgotten, a fixed warning stops,
and after a day of edits a clean build equals a fresh build of the same files.

Defaults are small for CI. The full run (figures in docs/robustness.md)::

    ESSAY_META_REBUILDS=100 ESSAY_META_ESSAYS=200 python -m pytest tests/test_long_serve.py -s
"""

from __future__ import annotations

import collections
import gc
import hashlib
import logging
import os
import shutil
import tracemalloc
import weakref
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import Site, _Collect, write_site

REBUILDS = int(os.environ.get("ESSAY_META_REBUILDS", "10"))
ESSAYS = int(os.environ.get("ESSAY_META_ESSAYS", "50"))
SERVE_URL = "http://127.0.0.1:8000/"

STATUSES = ["notes", "draft", "in progress", "finished", "abandoned"]
CERTAINTIES = ["certain", "highly likely", "likely", "possible", "unlikely", "remote", "log"]


def essay(i: int, *, status: str | None = None) -> str:
    status = status or STATUSES[i % len(STATUSES)]
    return (
        "---\n"
        f"title: Essay number {i}\n"
        f"description: What essay {i} is about\n"
        f"publishdate: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
        f"lastmod: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
        f"tags: [tag-{i % 7}, tag-{i % 11}]\n"
        f"categories: [category-{i % 3}]\n"
        f"status: {{value: {status}, percentage: {i % 101}}}\n"
        f"certainty: {CERTAINTIES[i % len(CERTAINTIES)]}\n"
        f"importance: {i % 11}\n"
        f"is_post_complete: {'true' if i % 2 else 'false'}\n"
        f"draft: {'true' if i % 17 == 0 else 'false'}\n"
        "---\n\n"
        f"The body of essay {i}.\n\n## A section\n\nMore text for essay {i}.\n"
    )


def pages(count: int) -> dict[str, str]:
    site = {"index.md": "# Home\n\nAll the essays.\n"}
    site.update({f"essays/essay-{i:03d}.md": essay(i) for i in range(count)})
    return site


class Server:
    """Rebuilds one site the way ``mkdocs serve`` does (load_config per build, cached plugins)."""

    def __init__(self, root: Path, theme: str = "mkdocs") -> None:
        self.root = root
        self.theme = theme
        self.plugin = None

    def build(self, *, dirty: bool = False, site_dir: Path | None = None) -> Site:
        handler = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        try:
            config = load_config(str(self.root / "mkdocs.yml"), site_dir=str(site_dir or self.root / "site"))
            config.site_url = SERVE_URL
            plugin = config.plugins["essay-meta"]
            if self.plugin is None:
                self.plugin = plugin
                config.plugins.on_startup(command="serve", dirty=dirty)
            assert plugin is self.plugin, "serve would have kept the first plugin instance"
            build(config, serve_url=SERVE_URL, dirty=dirty)
        finally:
            logger.removeHandler(handler)
        return Site(self.root, handler.messages)


def edit(page: Path, text: str) -> None:
    """Write ``text`` and make the file newer than its built page, as a real edit a moment later
    would be (MkDocs' dirty build compares modification times; one tick is not enough)."""
    page.write_text(text, encoding="utf-8")
    later = page.stat().st_mtime_ns + 2_000_000_000
    os.utime(page, ns=(later, later))


def digest(site_dir: Path) -> dict[str, str]:
    """A hash of every output file (gzip archives hold a timestamp and are left out)."""
    return {str(p.relative_to(site_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site_dir.rglob("*")) if p.is_file() and p.suffix != ".gz"}


def traced_bytes() -> tuple[int, int]:
    """(all traced memory, memory allocated by the plugin's own code), less single blocks of a
    megabyte or more: CPython's table of interned strings grows in one such block, once, at a
    point that depends on what ran before in the process (pathlib interns path parts)."""
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    total = sum(trace.size for trace in snapshot.traces if trace.size < 1_000_000)
    ours = snapshot.filter_traces([tracemalloc.Filter(True, "*mkdocs_essay_meta*")])
    return total, sum(stat.size for stat in ours.statistics("filename"))


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709251200")  # the theme prints the build time
    write_site(tmp_path, pages(ESSAYS), plugin={})
    return Server(tmp_path)


def test_identical_input_gives_identical_output_without_memory_growth(server: Server) -> None:
    first = server.build()
    reference = digest(first.site_dir)
    assert len([k for k in reference if k.startswith("essays/")]) == ESSAYS
    warnings = first.plugin_warnings()

    tracemalloc.start()
    try:
        for _ in range(2):  # warm: caches fill, and every live per-build object is now traced
            server.build()
        start = traced_bytes()
        for n in range(1, REBUILDS + 1):
            site = server.build()
            assert digest(site.site_dir) == reference
            assert site.plugin_warnings() == warnings
            if n == REBUILDS // 2:
                middle = traced_bytes()
        end = traced_bytes()
    finally:
        tracemalloc.stop()
    print(f"\n{REBUILDS} rebuilds of {ESSAYS} essays, traced memory after the 2nd, "
          f"{REBUILDS // 2 + 2}th and {REBUILDS + 2}th build: "
          f"{start[0] / 1e6:.2f} / {middle[0] / 1e6:.2f} / {end[0] / 1e6:.2f} MB in all; "
          f"{start[1] / 1e3:.0f} / {middle[1] / 1e3:.0f} / {end[1] / 1e3:.0f} kB allocated by essay-meta")
    # Bounds independent of the number of rebuilds: nothing accumulates per build (the one
    # large block of interned strings is left out, see traced_bytes); the second half must not grow.
    assert end[1] - start[1] < 64_000
    assert end[0] - middle[0] < 256_000
    assert end[0] - start[0] < 4_000_000


def test_dirty_rebuilds_with_edits_leak_nothing(server: Server, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    server.build(dirty=True)
    for round_ in range(REBUILDS):
        i = round_ % ESSAYS
        page = docs / f"essays/essay-{i:03d}.md"
        # An edit: the status changes, and the page shows the new one.
        new_status = STATUSES[(i + round_ + 1) % len(STATUSES)]
        edit(page, essay(i, status=new_status))
        site = server.build(dirty=True)
        badge = site.soup(f"essays/essay-{i:03d}/index.html").select_one(".essay-meta-badge--status-"
                                                                         + new_status.replace(" ", "-"))
        assert badge is not None, f"round {round_}: essay {i} still shows its old status"

        # A mistake, then its fix: the warning comes, then goes.
        edit(page, essay(i, status="finishd"))
        assert any(f"essay-{i:03d}.md: field 'status' has 'finishd'" in w
                   for w in server.build(dirty=True).plugin_warnings())
        edit(page, essay(i))
        assert server.build(dirty=True).plugin_warnings() == []

    # What was rendered for the essays as they were before the edits is forgotten.
    plugin = server.plugin
    current = {id(record.essay) for record in plugin._records.values()} | {id(plugin)}  # noqa: SLF001
    assert plugin._renderer.fragments.keys() <= current  # noqa: SLF001 - the state under test

    # A deleted essay is forgotten: its record is gone and no page is rebuilt from it.
    (docs / "essays/essay-001.md").unlink()
    shutil.rmtree(tmp_path / "site")
    site = server.build(dirty=True)
    assert not site.exists("essays/essay-001/index.html")
    assert "essays/essay-001.md" not in server.plugin._records  # noqa: SLF001 - the state under test
    assert len(server.plugin._records) == ESSAYS  # noqa: SLF001 - the essays left plus the home page

    # Back to the original files: a clean build equals a fresh process's build of them.
    (docs / "essays/essay-001.md").write_text(essay(1), encoding="utf-8")
    served = server.build(site_dir=tmp_path / "served")
    fresh_root = tmp_path / "fresh"
    write_site(fresh_root, pages(ESSAYS), plugin={})
    server.plugin._records.clear()  # noqa: SLF001 - what a fresh process starts with
    server.root = fresh_root
    fresh = server.build()
    assert digest(served.root / "served") == digest(fresh.site_dir)


def test_same_size_same_mtime_edit_is_seen(server: Server, tmp_path: Path) -> None:
    """A second save within the file system's timestamp tick keeps size and mtime."""
    page = tmp_path / "docs/essays/essay-002.md"
    page.write_text(essay(2, status="drafx"), encoding="utf-8")
    stat = page.stat()
    assert any("'drafx'" in w for w in server.build().plugin_warnings())
    page.write_text(essay(2, status="draft"), encoding="utf-8")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert page.stat().st_size == stat.st_size
    site = server.build()
    assert site.plugin_warnings() == []
    assert site.soup("essays/essay-002/index.html").select_one(".essay-meta-badge--status-draft") is not None


def test_configuration_change_between_builds_applies(server: Server, tmp_path: Path) -> None:
    """serve reloads mkdocs.yml on every build: a relabelled term shows on the next one."""
    server.build()
    write_site(tmp_path, {}, plugin={"vocabularies": {"status": {"terms": {"draft": {"label": "Sketch"}}}}})
    site = server.build()
    draft = [p for p in range(ESSAYS) if STATUSES[p % len(STATUSES)] == "draft"][0]
    value = site.soup(f"essays/essay-{draft:03d}/index.html").select_one(".essay-meta-badge__value")
    assert value.get_text() == "Sketch"
    write_site(tmp_path, {}, plugin={})
    site = server.build()
    value = site.soup(f"essays/essay-{draft:03d}/index.html").select_one(".essay-meta-badge__value")
    assert value.get_text() == "Draft"


def test_headers_kept_across_rebuilds_follow_config_and_template_edits(server: Server, tmp_path: Path) -> None:
    """While serving, an unchanged essay's header is reused; anything it depends on renews it."""
    from mkdocs_essay_meta import rendering
    rendered: list[str] = []
    real_header = rendering.Renderer.header

    def counting_header(self: rendering.Renderer, essay: Any, **kwargs: Any) -> str:
        rendered.append(essay.title)
        return real_header(self, essay, **kwargs)

    page = "essays/essay-004/index.html"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rendering.Renderer, "header", counting_header)
        server.build()
        assert len(rendered) == ESSAYS
        rendered.clear()
        edit(tmp_path / "docs/essays/essay-003.md", essay(3, status="draft"))
        site = server.build()
        assert rendered == ["Essay number 3"], "only the edited essay's header is rendered again"
        assert site.soup("essays/essay-003/index.html").select_one(".essay-meta-badge--status-draft")
        assert "Published" in site.soup(page).select_one(".essay-meta__dates").text

        # A label changed in mkdocs.yml: every header again.
        write_site(tmp_path, {}, plugin={"labels": {"published": "First out"}})
        rendered.clear()
        site = server.build()
        assert len(rendered) == ESSAYS
        assert "First out" in site.soup(page).select_one(".essay-meta__dates").text

        # A partial added to custom_dir: every header again, with it.
        override = tmp_path / "overrides" / "essay-meta" / "dates.html"
        override.parent.mkdir(parents=True)
        override.write_text('<p class="my-dates">{{ essay.published | essay_date }}</p>\n', encoding="utf-8")
        write_site(tmp_path, {}, theme={"name": "mkdocs", "custom_dir": "overrides"},
                   plugin={"labels": {"published": "First out"}})
        rendered.clear()
        site = server.build()
        assert len(rendered) == ESSAYS
        assert site.soup(page).select_one(".my-dates") is not None
        # ... and an edit of that partial too.
        override.write_text('<p class="my-edited-dates">{{ essay.published | essay_date }}</p>\n', encoding="utf-8")
        later = override.stat().st_mtime_ns + 2_000_000_000
        os.utime(override, ns=(later, later))
        site = server.build()
        assert site.soup(page).select_one(".my-edited-dates") is not None


def test_references_kept_across_rebuilds_follow_their_sources(tmp_path: Path) -> None:
    """While serving, an unchanged essay's citations and references are reused; an edit of the
    page, of a bibliography file or of a label renews them, and warnings are repeated."""
    from mkdocs_essay_meta import rendering
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{knuth, author = {Knuth, Donald}, title = {Literate Programming}, year = {1992}}\n",
                   encoding="utf-8")
    cited = ("---\ntitle: Cited\nbibliography:\n  - title: Own source\n    link: https://example.org/own\n---\n\n"
             "As shown [@knuth], and [@nobody].\n")
    other = "---\ntitle: Other\nbibliography:\n  - title: Elsewhere\n    link: https://example.org/x\n---\n\nText.\n"
    write_site(tmp_path, {"index.md": "# Home\n", "cited.md": cited, "other.md": other},
               plugin={"bibliography_files": ["refs.bib"]})
    server = Server(tmp_path)
    lists: list[int] = []
    real_bibliography = rendering.Renderer.bibliography

    def counting_bibliography(self: rendering.Renderer, references: Any, *args: Any) -> str:
        lists.append(len(references))
        return real_bibliography(self, references, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rendering.Renderer, "bibliography", counting_bibliography)
        site = server.build()
        assert sorted(lists) == [1, 2]
        assert "Literate Programming" in site.text("cited/index.html")
        assert [w for w in site.plugin_warnings() if "'nobody'" in w]

        lists.clear()
        site = server.build()
        assert lists == [], "nothing changed: both lists are reused"
        assert [w for w in site.plugin_warnings() if "'nobody'" in w], "the warning is repeated"
        assert "Literate Programming" in site.text("cited/index.html")
        assert 'href="#essay-meta-ref-1"' in site.text("cited/index.html")

        bib.write_text("@book{knuth, author = {Knuth, Donald}, title = {The Art of Computer Programming}, "
                       "year = {1968}}\n", encoding="utf-8")
        later = bib.stat().st_mtime_ns + 2_000_000_000
        os.utime(bib, ns=(later, later))
        lists.clear()
        site = server.build()
        assert lists == [2], "the page citing the edited file, only"
        assert "The Art of Computer Programming" in site.text("cited/index.html")

        edit(tmp_path / "docs/other.md", other.replace("Elsewhere", "Somewhere else"))
        lists.clear()
        site = server.build()
        assert lists == [1]
        assert "Somewhere else" in site.text("other/index.html")

        write_site(tmp_path, {}, plugin={"bibliography_files": ["refs.bib"], "labels": {"bibliography": "Sources"}})
        lists.clear()
        site = server.build()
        assert sorted(lists) == [1, 2]
        assert site.soup("other/index.html").find("h2", string="Sources") is not None


def served_with_a_listing(root: Path, essay_source: str, count: int) -> Server:
    """A site of ``count`` essays (``essay_source`` formatted with ``i``), a home page and a
    page listing them, built once as ``serve --dirty`` does."""
    pages_ = {"index.md": "# Home\n", "list.md": "# All\n\n<!-- essay-meta:listing -->\n"}
    pages_.update({f"essays/e{i}.md": essay_source.format(i=i) for i in range(count)})
    write_site(root, pages_)
    server = Server(root)
    server.build(dirty=True)
    return server


def pages_rewritten_by_edit(server: Server, page: str, text: str) -> list[str]:
    """The built pages a ``--dirty`` rebuild writes again after ``page`` is edited to ``text``."""
    site_dir = server.root / "site"
    before = {p: p.stat().st_mtime_ns for p in site_dir.rglob("index.html")}
    edit(server.root / "docs" / page, text)
    server.build(dirty=True)
    return sorted(str(p.relative_to(site_dir)) for p, mtime in before.items()
                  if not p.exists() or p.stat().st_mtime_ns != mtime)


def test_dirty_rebuild_renders_only_the_edited_essay_and_the_listing_hosts(tmp_path: Path) -> None:
    """Pages with references, headers or listings carry the plugin's own markers in their
    content; none of them may be taken for a page hosting a listing (whose output a dirty
    rebuild removes so that MkDocs renders it again)."""
    sourced = ("---\ntitle: Essay {i}\nstatus: notes\nbibliography:\n  - title: Source {i}\n"
               "    link: https://example.org/{i}\n    key: s{i}\n---\n\nText [@s{i}].\n")
    server = served_with_a_listing(tmp_path, sourced, 6)
    edited = sourced.format(i=2).replace("Text", "Edited text")
    assert pages_rewritten_by_edit(server, "essays/e2.md", edited) == [
        "essays/e2/index.html", "index.html", "list/index.html"]
    site = Site(tmp_path, [])
    assert "Edited text" in site.text("essays/e2/index.html")
    assert site.soup("essays/e3/index.html").select_one("li.essay-meta-ref") is not None


def test_dirty_rebuild_leaves_listing_hosts_alone_when_cards_do_not_change(tmp_path: Path) -> None:
    """An essay whose front matter gives its card's title and text: editing its body changes no
    card, so the pages hosting listings are not rendered again; editing its title does."""
    described = ("---\ntitle: Essay {i}\ndescription: About {i}\nstatus: notes\n---\n\n"
                 "Text of essay {i}.\n")
    server = served_with_a_listing(tmp_path, described, 4)
    body_edit = described.format(i=2).replace("Text", "Edited text")
    assert pages_rewritten_by_edit(server, "essays/e2.md", body_edit) == ["essays/e2/index.html"]
    title_edit = described.format(i=2).replace("title: Essay 2", "title: Renamed")
    assert pages_rewritten_by_edit(server, "essays/e2.md", title_edit) == [
        "essays/e2/index.html", "index.html", "list/index.html"]
    assert "Renamed" in Site(tmp_path, []).text("list/index.html")


def test_dirty_rebuild_looks_at_each_source_and_output_once(tmp_path: Path) -> None:
    """MkDocs' dirty build asks twice a page whether its source is newer than its output, each
    time with three looks at the file system (is the output a file, its mtime, the source's).
    The plugin, which looks at every source anyway (to tell which changed), answers from that
    look: each source and each output is looked at once a rebuild. The answers are MkDocs':
    the edited page and a page whose output is gone are built again, no other page."""
    described = ("---\ntitle: Essay {i}\ndescription: About {i}\nstatus: notes\n---\n\n"
                 "Text of essay {i}.\n")
    server = served_with_a_listing(tmp_path, described, 4)
    docs, site_dir = tmp_path / "docs", tmp_path / "site"
    before = {p: p.stat().st_mtime_ns for p in site_dir.rglob("index.html")}
    edit(docs / "essays/e2.md", described.format(i=2).replace("Text", "Edited text"))
    (site_dir / "essays/e1/index.html").unlink()
    looks: collections.Counter[str] = collections.Counter()
    stat = os.stat

    def counted_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        looks[os.fspath(path)] += 1
        return stat(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", counted_stat)
        server.build(dirty=True)
    sources = {path: count for path, count in looks.items() if path.endswith(".md")}
    assert sources == {str(path): 1 for path in docs.rglob("*.md")}
    outputs = {path: count for path, count in looks.items() if path.endswith("index.html")}
    assert outputs == {str(path): 1 for path in before}
    rewritten = sorted(str(p.relative_to(site_dir)) for p, mtime in before.items()
                       if not p.exists() or p.stat().st_mtime_ns != mtime)
    assert rewritten == ["essays/e1/index.html", "essays/e2/index.html"]
    assert "Edited text" in Site(tmp_path, []).text("essays/e2/index.html")


def test_dirty_rebuild_builds_a_page_given_content_after_the_plugin_looked(tmp_path: Path) -> None:
    """A page whose content another plugin gives in memory after this plugin's on_files is
    built again on every dirty rebuild, as MkDocs' own test says (its source on disk is not it)."""
    (tmp_path / "hooks.py").write_text(
        "from mkdocs.plugins import event_priority\n\n"
        "@event_priority(-100)\n"
        "def on_files(files, config):\n"
        "    files.get_file_from_path('given.md').content_string = "
        "'---\\ntitle: Given\\n---\\n\\nGiven text.\\n'\n", encoding="utf-8")
    write_site(tmp_path, {"index.md": "# Home\n", "given.md": "---\ntitle: On disk\n---\n\nDisk text.\n"},
               extra={"hooks": ["hooks.py"]})
    server = Server(tmp_path)
    server.build(dirty=True)
    output = tmp_path / "site/given/index.html"
    written = output.stat().st_mtime_ns
    os.utime(output, ns=(written + 5_000_000_000, written + 5_000_000_000))  # newer than its source
    site = server.build(dirty=True)
    assert output.stat().st_mtime_ns != written + 5_000_000_000
    assert "Given text" in site.text("given/index.html")


def test_dirty_rebuild_follows_a_renamed_essay(tmp_path: Path) -> None:
    """A renamed essay is a page gone and a page added: listings link to its new address, not
    to the old one, and what was rendered for the page that went is forgotten."""
    described = ("---\ntitle: Essay {i}\ndescription: About {i}\nstatus: notes\n---\n\n"
                 "Text of essay {i}.\n")
    server = served_with_a_listing(tmp_path, described, 3)
    plugin = server.plugin
    assert plugin is not None
    old_essay = plugin._records["essays/e1.md"].essay  # noqa: SLF001 - the state under test
    assert id(old_essay) in plugin._renderer.fragments  # noqa: SLF001 - its header, kept
    (tmp_path / "docs/essays/e1.md").rename(tmp_path / "docs/essays/renamed.md")
    site = server.build(dirty=True)
    links = [a["href"] for a in site.soup("list/index.html").select(".essay-meta-card__title a")]
    assert sorted(links) == ["../essays/e0/", "../essays/e2/", "../essays/renamed/"]
    assert id(old_essay) not in plugin._renderer.fragments  # noqa: SLF001


def test_dirty_rebuild_follows_an_essay_given_another_address(tmp_path: Path) -> None:
    """An essay whose address changes while its source does not (here a hook, run before the
    plugin, moves it when a flag file exists): listings link to its new address."""
    described = ("---\ntitle: Essay {i}\ndescription: About {i}\nstatus: notes\n---\n\n"
                 "Text of essay {i}.\n")
    (tmp_path / "hooks.py").write_text(
        "import os\nfrom mkdocs.plugins import event_priority\n\n"
        "@event_priority(100)\n"
        "def on_files(files, config):\n"
        "    if os.path.exists(os.path.join(os.path.dirname(__file__), 'move')):\n"
        "        moved = files.get_file_from_path('essays/e1.md')\n"
        "        moved.dest_uri, moved.url = 'moved/index.html', 'moved/'\n", encoding="utf-8")
    pages_ = {"index.md": "# Home\n", "list.md": "# All\n\n<!-- essay-meta:listing -->\n"}
    pages_.update({f"essays/e{i}.md": described.format(i=i) for i in range(3)})
    write_site(tmp_path, pages_, extra={"hooks": ["hooks.py"]})
    server = Server(tmp_path)
    server.build(dirty=True)
    (tmp_path / "move").touch()
    site = server.build(dirty=True)
    links = [a["href"] for a in site.soup("list/index.html").select(".essay-meta-card__title a")]
    assert sorted(links) == ["../essays/e0/", "../essays/e2/", "../moved/"]


def test_dirty_rebuild_follows_listing_options_in_mkdocs_yml(tmp_path: Path) -> None:
    """serve reloads mkdocs.yml for every rebuild: a changed featured option or label, or a
    scheduled essay let in by ``publish_future``, changes what listings show though no page
    changed, and the pages hosting them are built again."""
    featured = ("---\ntitle: Essay {i}\ndescription: About {i}\npublishdate: 2024-01-0{i}\n"
                "homepage_featured: true\n---\n\nText of essay {i}.\n")
    server = served_with_a_listing(tmp_path, featured, 3)
    docs = tmp_path / "docs"
    (docs / "essays/later.md").write_text(featured.format(i=1).replace("2024", "2999").replace(
        "Essay 1", "Later essay"), encoding="utf-8")
    site = server.build(dirty=True)

    def heading() -> str:
        return site.soup("index.html").select_one("section.essay-meta-featured h2").get_text()

    def listed() -> list[str]:
        return [a.get_text() for a in site.soup("list/index.html").select(".essay-meta-card__title a")]

    assert heading() == "Featured essays" and "Later essay" not in listed()
    write_site(tmp_path, {}, plugin={"featured": {"heading": "Start here"}})
    site = server.build(dirty=True)
    assert heading() == "Start here"
    write_site(tmp_path, {}, plugin={"labels": {"featured": "Picked essays"}})
    site = server.build(dirty=True)
    assert heading() == "Picked essays"
    write_site(tmp_path, {}, plugin={"labels": {"featured": "Picked essays"}, "publish_future": True})
    site = server.build(dirty=True)
    assert "Later essay" in listed()


@pytest.mark.parametrize("dirty", [False, True])
def test_serve_rebuild_parses_only_sources_that_changed(server: Server, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, dirty: bool) -> None:
    """While serving, a source whose modification time, size and inode are unchanged since it
    was read is not parsed again, unless it was modified too shortly before that read (within
    the 2 s a file system's timestamps may round to) for a later change to be sure to show.
    MkDocs reads every page again on a rebuild: the plugin reads it for MkDocs, with its front
    matter (cheaper than MkDocs' own reading); with ``--dirty``, MkDocs reads only the pages
    changed since they were written, and the plugin reads no unchanged source at all."""
    from mkdocs.structure.files import File
    from mkdocs_essay_meta import plugin as plugin_module
    from mkdocs_essay_meta.plugin import EssayMetaPlugin

    docs = tmp_path / "docs"
    old = (tmp_path / "docs/index.md").stat().st_mtime_ns - 10_000_000_000
    for page in docs.rglob("*.md"):
        os.utime(page, ns=(old, old))
    read: list[str] = []
    parsed: list[str] = []
    read_by_mkdocs: list[str] = []
    source, parse_essay, content_string = EssayMetaPlugin._source, plugin_module.parse_essay, File.content_string
    monkeypatch.setattr(EssayMetaPlugin, "_source", staticmethod(
        lambda file: read.append(file.src_uri) or source(file)))
    monkeypatch.setattr(plugin_module, "parse_essay", lambda meta, options: parsed.append(
        str(meta.get("title"))) or parse_essay(meta, options))
    monkeypatch.setattr(File, "content_string", property(
        lambda file: read_by_mkdocs.append(file.src_uri) or content_string.fget(file)))  # type: ignore[attr-defined]
    server.build(dirty=dirty)
    assert len(read) == len(parsed) == ESSAYS + 1  # the first build reads and parses every page
    assert read_by_mkdocs == []
    for log in (read, parsed):
        log.clear()
    server.build(dirty=dirty)
    assert parsed == [] and read_by_mkdocs == []
    assert len(read) == (0 if dirty else ESSAYS + 1)
    fresh = docs / "essays/essay-003.md"
    fresh.write_text(essay(3, status="abandoned"), encoding="utf-8")  # modified just now
    for rebuild in ("edited", "still too recent to trust its timestamp", "its timestamp changed"):
        if rebuild == "its timestamp changed":
            os.utime(fresh, ns=(old, old))
        read.clear()
        parsed.clear()
        server.build(dirty=dirty)
        # Read again each time (the same text after the edit: not parsed again).
        assert parsed == (["Essay number 3"] if rebuild == "edited" else []), rebuild
        assert "essays/essay-003.md" in read and len(read) == (1 if dirty else ESSAYS + 1), rebuild
    read.clear()
    read_by_mkdocs.clear()  # (with --dirty, MkDocs reads the unchanged page listing the edited one itself)
    site = server.build(dirty=dirty)
    assert parsed == [] and read_by_mkdocs == []
    assert len(read) == (0 if dirty else ESSAYS + 1)
    assert site.soup("essays/essay-003/index.html").select_one(".essay-meta-badge--status-abandoned") is not None


def test_a_one_off_build_lets_go_of_its_records_before_search_writes_its_index(tmp_path: Path) -> None:
    """``mkdocs build`` builds once: the essays, references and rendering caches the plugin
    kept for listings and rebuilds are released in on_post_build, before the search plugin
    writes its index (the peak of a build's memory); the site is complete all the same."""
    write_site(tmp_path, pages(6), plugin={})
    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    plugin = config.plugins["essay-meta"]
    held: list[int] = []
    renderer: list[Any] = []
    events = config.plugins.events["post_build"]
    at = next(i for i, method in enumerate(events) if method.__self__ is config.plugins["search"])
    write_index = events[at]
    events[at] = lambda **kw: held.append(len(plugin._records)) or renderer.append(renderer[0]()) or write_index(**kw)
    events.insert(0, lambda **kw: renderer.append(weakref.ref(plugin._renderer)))  # before the plugin's
    gc.disable()  # (so that a collection at some other moment cannot free it in time by chance)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
    finally:
        gc.enable()
    # The renderer is gone without the collector, though its template environment's filters
    # are its methods (a reference cycle, broken when it is let go).
    assert held == [0] and plugin._renderer is None and renderer[1] is None
    site = Site(tmp_path, [])
    assert site.soup("essays/essay-001/index.html").select_one("header.essay-meta") is not None


def test_listings_kept_across_rebuilds_follow_what_their_cards_show(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """While serving, a plain rebuild renders a listing again only when what it shows may have
    changed: an essay's card (its title here), or an essay added; a body edit renders none."""
    from mkdocs_essay_meta.plugin import EssayMetaPlugin

    described = ("---\ntitle: Essay {i}\ndescription: About {i}\nstatus: notes\n---\n\n"
                 "Text of essay {i}.\n")
    server = served_with_a_listing(tmp_path, described, 3)
    rendered: list[str] = []
    render = EssayMetaPlugin._render_listing
    monkeypatch.setattr(EssayMetaPlugin, "_render_listing", lambda self, spec, page, *a, **kw: (
        rendered.append(page.file.src_uri), render(self, spec, page, *a, **kw))[1])
    docs = tmp_path / "docs"

    def titles() -> list[str]:
        return [a.get_text() for a in server.build().soup("list/index.html").select(".essay-meta-card__title a")]

    assert titles() == ["Essay 0", "Essay 1", "Essay 2"] and rendered == []  # kept from the first build
    edit(docs / "essays/e1.md", described.format(i=1).replace("Text", "Edited text"))
    assert titles() == ["Essay 0", "Essay 1", "Essay 2"] and rendered == []
    edit(docs / "essays/e1.md", described.format(i=1).replace("title: Essay 1", "title: Renamed"))
    hosts = ["index.md", "list.md"]  # the home page may show the featured essays
    assert titles() == ["Essay 0", "Essay 2", "Renamed"] and rendered == hosts
    (docs / "essays/e3.md").write_text(described.format(i=3), encoding="utf-8")
    assert titles() == ["Essay 0", "Essay 2", "Essay 3", "Renamed"] and rendered == hosts * 2

"""Listings placed with <!-- essay-meta:listing --> markers, on real builds; serve-like rebuilds."""

from __future__ import annotations

import os
import posixpath
import time
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import SAMPLE_ESSAY, build_site

HOME = "# Home\n\nNothing about essays here.\n"


def essay(title: str, date: str | None = None, **fields: str) -> str:
    lines = [f"title: {title}"]
    if date:
        lines.append(f"publishdate: {date}")
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\nThe first paragraph of " + title + ".\n\nMore.\n"


ESSAYS = {
    "essays/alpha.md": essay("Alpha", "2024-01-10", status="finished", certainty="likely", importance="3",
                             tags="[AI, Go]", categories="[Tech]", lastmod="2024-06-01"),
    "essays/beta.md": essay("Beta", "2023-05-01", status="in progress", certainty="remote", importance="9",
                            tags="[ai]", categories="[Life, Tech]", homepage_featured="true"),
    "essays/gamma.md": essay("Gamma", "2024-03-01", status="notes", certainty="fiction", importance="5"),
    "essays/delta.md": essay("Delta", None, status="draft"),
}


def listing_page(marker: str, **pages: str) -> dict[str, str]:
    return {"index.md": HOME, **ESSAYS, "list.md": f"# List\n\n{marker}\n\nAfter the listing.\n", **pages}


def listing_titles(site, page: str = "list/index.html", index: int = 0) -> list[str]:
    listing = site.soup(page).select("section.essay-meta-listing")[index]
    return [a.get_text(strip=True) for a in listing.select(".essay-meta-card__title a, tbody th a")]


@pytest.mark.parametrize("options, expected", [
    ("", ["Gamma", "Alpha", "Beta", "Delta"]),
    ('status="in progress"', ["Beta"]),
    ("status=notes,draft", ["Gamma", "Delta"]),
    ("tag=AI", ["Alpha", "Beta"]),
    ("category=life", ["Beta"]),
    ("featured=true", ["Beta"]),
    ("featured=false", ["Gamma", "Alpha", "Delta"]),
    ("min_importance=5", ["Gamma", "Beta"]),
    ("min_certainty=likely", ["Alpha"]),
    ("sort=+published", ["Beta", "Alpha", "Gamma", "Delta"]),
    ("sort=updated", ["Alpha", "Gamma", "Beta", "Delta"]),
    ("sort=-importance limit=2", ["Beta", "Gamma"]),
    ("sort=certainty", ["Alpha", "Beta", "Delta", "Gamma"]),
    ("sort=title", ["Alpha", "Beta", "Delta", "Gamma"]),
    ("sort=-title", ["Gamma", "Delta", "Beta", "Alpha"]),
    ("limit=1", ["Gamma"]),
])
def test_listing_options(tmp_path: Path, options: str, expected: list[str]) -> None:
    site = build_site(tmp_path, listing_page(f"<!-- essay-meta:listing {options} -->"), strict=True)
    assert listing_titles(site) == expected


def test_group_by_status_with_heading(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page('<!-- essay-meta:listing group=status heading="By status" -->'))
    listing = site.soup("list/index.html").select_one("section.essay-meta-listing")
    assert listing.select_one("h2").get_text() == "By status"
    groups = [(h.get_text(), [a.get_text(strip=True) for a in h.find_next_sibling("ul").select("h4 a")])
              for h in listing.select("h3.essay-meta-listing__group")]
    assert groups == [("Notes", ["Gamma"]), ("Draft", ["Delta"]), ("In Progress", ["Beta"]), ("Finished", ["Alpha"])]


def test_group_by_category_and_year(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:listing group=category -->\n\n"
                                             "<!-- essay-meta:listing group=year layout=table -->"))
    soup = site.soup("list/index.html")
    first, second = soup.select("section.essay-meta-listing")
    assert [h.get_text() for h in first.select("h3")] == ["Life", "Tech", "Other"]
    assert [h.get_text() for h in second.select("h3")] == ["2024", "2023", "Other"]
    assert len(second.select("table")) == 3


def test_table_layout(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:listing layout=table sort=title limit=1 -->"))
    table = site.soup("list/index.html").select_one("section.essay-meta-listing table")
    assert [th.get_text() for th in table.select("thead th")] == [
        "Essay", "Status", "Certainty", "Importance", "Published", "Updated"]
    row = table.select_one("tbody tr")
    assert [c.get_text(strip=True) for c in row.find_all(["th", "td"])] == [
        "Alpha", "Finished", "Likely", "3", "January 10, 2024", "June 1, 2024"]


def test_several_listings_on_one_page_have_unique_ids(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:listing -->\n\n<!-- essay-meta:listing tag=ai -->"),
                      theme="material")
    soup = site.soup("list/index.html")
    assert len(soup.select("section.essay-meta-listing")) == 2
    ids = [el["id"] for el in soup.select("[id]")]
    assert len(ids) == len(set(ids))


def test_a_listing_explains_its_badges_once_in_a_legend(tmp_path: Path, theme: str) -> None:
    """A card's badges carry no explanation and are no tab stop; the listing's legend explains
    each scale its cards show, and each term they use, once, in the scale's order."""
    pages = listing_page('<!-- essay-meta:listing -->\n\n<!-- essay-meta:listing status="in progress" -->\n\n'
                         '<!-- essay-meta:listing layout=table status=draft -->')
    site = build_site(tmp_path, pages, theme=theme, strict=True)
    soup = site.soup("list/index.html")
    everything, in_progress, table = soup.select("section.essay-meta-listing")
    badges = everything.select(".essay-meta-card .essay-meta-badge")
    assert len(badges) == 10
    assert not everything.select(".essay-meta-badge__explanation, [tabindex], [aria-describedby]")

    def legend(listing) -> list[tuple[str, str, list[tuple[str, str]]]]:
        return [(dt.get_text(), dt.find_next_sibling("dd").contents[0].strip(),
                 [(term.get_text(), term.find_next_sibling("dd").get_text())
                  for term in dt.find_next_sibling("dd").select("dt")])
                for dt in listing.select("details.essay-meta-legend > dl > dt")]

    assert everything.select_one("details.essay-meta-legend > summary").get_text() == "What the ratings mean"
    assert legend(everything) == [
        ("Status", "How finished the essay is, from rough notes to a finished piece.", [
            ("Notes", "Raw notes and quotes; not yet an argument."),
            ("Draft", "A first draft: the argument is there but rough and incomplete."),
            ("In Progress", "Substantially written and still being revised and extended."),
            ("Finished", "Complete; changes from now on are corrections and small additions.")]),
        ("Certainty", "How sure the author is of the main claims, in Kesselman's estimative words "
                      "(the percentage is the probability the author gives them).", [
            ("Likely", "More likely than not: about 56–70 %."),
            ("Remote", "A long shot: about 1–15 %."),
            ("Fiction", "Invented; not a claim about the world.")]),
        ("Importance", "How much the topic matters, on a scale from 0 (trivial) to 10 (life-changing).", [
            ("3 of 10", "Of some interest to a few readers."),
            ("5 of 10", "Important to readers interested in the topic."),
            ("9 of 10", "Among the author's most important writing.")]),
    ]
    # Only what the listing shows: one essay, three scales, one term each.
    assert [(scale, [term for term, _ in terms]) for scale, _, terms in legend(in_progress)] == [
        ("Status", ["In Progress"]), ("Certainty", ["Remote"]), ("Importance", ["9 of 10"])]
    assert [(scale, [term for term, _ in terms]) for scale, _, terms in legend(table)] == [("Status", ["Draft"])]
    # The essay's own header still explains each badge where it stands.
    header_badges = site.soup("essays/alpha/index.html").select("header.essay-meta .essay-meta-badge")
    assert len(header_badges) == 3
    for badge in header_badges:
        assert badge["tabindex"] == "0"
        assert badge.select_one(".essay-meta-badge__explanation")["id"] == badge["aria-describedby"]


def test_a_listing_without_ratings_has_no_legend(tmp_path: Path) -> None:
    pages = {"index.md": HOME, "essays/plain.md": essay("Plain", "2024-01-01", tags="[x]"),
             "list.md": "# List\n\n<!-- essay-meta:listing -->\n"}
    site = build_site(tmp_path, pages, strict=True)
    listing = site.soup("list/index.html").select_one("section.essay-meta-listing")
    assert listing.select(".essay-meta-card") and not listing.select(".essay-meta-legend")


def test_markers_in_code_are_left_alone(tmp_path: Path, theme: str) -> None:
    page = ("# Syntax\n\nWrite `<!-- essay-meta:listing limit=1 -->` in a page.\n\n"
            "```markdown\n<!-- essay-meta:listing tag=ai -->\n```\n\n"
            "    <!-- essay-meta:featured -->\n\n"
            "<!-- essay-meta:listing limit=1 -->\n")
    extra = {"markdown_extensions": ["pymdownx.superfences"]} if theme == "material" else None
    site = build_site(tmp_path, {**listing_page(""), "syntax.md": page}, theme=theme, extra=extra, strict=True)
    soup = site.soup("syntax/index.html")
    assert len(soup.select("section.essay-meta-listing")) == 1
    codes = [c.get_text() for c in soup.select("code")]
    assert "<!-- essay-meta:listing limit=1 -->" in codes
    assert any("<!-- essay-meta:listing tag=ai -->" in c for c in codes)
    assert any("<!-- essay-meta:featured -->" in c for c in codes)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_links_from_nested_pages_resolve(tmp_path: Path, directory_urls: bool) -> None:
    pages = listing_page("<!-- essay-meta:listing -->",
                         **{"deep/er/page.md": "# Deep\n\n<!-- essay-meta:listing -->\n",
                            "deep/index.md": "# Deep index\n\n<!-- essay-meta:listing layout=table -->\n",
                            "essays/index.md": "# Essays\n\n<!-- essay-meta:listing -->\n"})
    site = build_site(tmp_path, pages, extra={"use_directory_urls": directory_urls}, strict=True)
    suffix = "/index.html" if directory_urls else ".html"
    hosts = [f"list{suffix}", f"deep/er/page{suffix}", "deep/index.html", "essays/index.html", "index.html"]
    seen = 0
    for host in hosts:
        links = site.soup(host).select(".essay-meta-listing a[href]")
        for link in links:
            href = link["href"]
            assert "://" not in href and not href.startswith("/")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(host), href))
            if href.endswith("/"):
                target += "/index.html"
            assert site.exists(target), (host, href)
            title = site.soup(target).title.get_text()
            assert link.get_text(strip=True) in title, (host, href, title)
            seen += 1
    assert seen == 4 * 4 + 1  # four listings of four essays, and Beta featured on the home page


def test_drafts_and_scheduled_essays_are_not_listed(tmp_path: Path) -> None:
    pages = listing_page("<!-- essay-meta:listing -->",
                         **{"essays/wip.md": essay("Hidden draft", "2024-02-01", draft="true"),
                            "essays/soon.md": essay("Future one", "2999-01-01", status="finished")})
    site = build_site(tmp_path, pages)
    assert listing_titles(site) == ["Gamma", "Alpha", "Beta", "Delta"]
    assert not site.exists("essays/wip/index.html")
    site = build_site(tmp_path, pages, plugin={"publish_future": True})
    assert listing_titles(site)[0] == "Future one"


def test_pages_without_essay_metadata_are_not_listed(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:listing -->", **{"about.md": "---\ntitle: About\n---\n\nHi.\n"}))
    assert "About" not in listing_titles(site)


def test_card_contents_are_escaped(tmp_path: Path) -> None:
    evil = ('---\ntitle: "<script>alert(1)</script>"\npublishdate: 2024-01-01\nstatus: finished\n'
            'excerpt: "<img src=x onerror=alert(1)>"\ntags: ["<b>t</b>"]\n---\n\nBody.\n')
    site = build_site(tmp_path, {"index.md": HOME, "list.md": "<!-- essay-meta:listing -->\n", "evil.md": evil})
    listing = site.soup("list/index.html").select_one("section.essay-meta-listing")
    assert listing.find("script") is None and listing.find("img") is None and listing.find("b") is None
    assert "<script>alert(1)</script>" in listing.get_text()


def test_bad_options_warn_and_the_page_still_builds(tmp_path: Path) -> None:
    pages = listing_page('<!-- essay-meta:listing sortt=title limit=2 status=done -->\n\n<!-- essay-meta:listings -->')
    site = build_site(tmp_path, pages)
    warnings = site.plugin_warnings()
    assert len(warnings) == 3, warnings
    assert any("list.md" in w and "'sortt'" in w and "'title'" in w for w in warnings)
    assert any("list.md" in w and "'status'" in w and "'done'" in w and "In Progress" in w for w in warnings)
    assert any("list.md" in w and "essay-meta:listing'" in w for w in warnings)
    assert listing_titles(site) == ["Gamma", "Alpha"]  # the valid option (limit) still applies
    assert "After the listing." in site.text("list/index.html")
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_empty_listing_says_so(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:listing tag=nothing -->"))
    listing = site.soup("list/index.html").select_one("section.essay-meta-listing")
    assert listing.select_one(".essay-meta-listing__empty").get_text() == "No essays to show yet."


def test_other_essay_meta_comments_are_ignored(tmp_path: Path) -> None:
    site = build_site(tmp_path, listing_page("<!-- essay-meta:bibliography -->"), strict=True)
    assert not site.soup("list/index.html").select("section.essay-meta-listing")


# -- serve: repeated builds in one process with the same plugin instance ---------------------

def _touch_future(path: Path, seconds: int) -> None:
    """Give ``path`` an mtime ahead of every output, as an edit after the last build would."""
    stamp = time.time() + seconds
    os.utime(path, (stamp, stamp))


def _plugin(root: Path):
    return load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site")).plugins["essay-meta"]


@pytest.mark.parametrize("dirty", [False, True])
def test_serve_rebuilds_keep_the_index_right(tmp_path: Path, dirty: bool) -> None:
    docs = tmp_path / "docs"
    pages = {
        "index.md": HOME,
        "list.md": "# List\n\n<!-- essay-meta:listing sort=title -->\n",
        "about.md": "# About\n\nNot an essay.\n",
        "essays/one.md": essay("One", "2024-01-01", homepage_featured="true"),
        "essays/two.md": essay("Two", "2024-02-01", homepage_featured="true"),
    }
    site = build_site(tmp_path, pages, serve=True)
    plugin = _plugin(tmp_path)
    assert _plugin(tmp_path) is plugin  # MkDocs keeps the instance, as serve does

    def featured():
        return listing_titles(site, "index.html")

    def excerpts():
        return [p.get_text() for p in site.soup("index.html").select(".essay-meta-card__excerpt")]

    assert featured() == ["Two", "One"] and listing_titles(site) == ["One", "Two"]
    about_mtime = site.path("about/index.html").stat().st_mtime_ns
    step = 10

    def rebuild():
        nonlocal site, step
        step += 10
        site = build_site(tmp_path, serve=True, dirty=dirty)
        assert _plugin(tmp_path) is plugin

    # Edit an essay's front matter.
    (docs / "essays/one.md").write_text(essay("One, revised", "2024-03-01", homepage_featured="true"), encoding="utf-8")
    _touch_future(docs / "essays/one.md", step)
    rebuild()
    assert featured() == ["One, revised", "Two"]
    assert listing_titles(site) == ["One, revised", "Two"]
    # The unchanged essay keeps its first-paragraph excerpt, even when it was not re-read.
    assert excerpts() == ["The first paragraph of One, revised.", "The first paragraph of Two."]
    if dirty:  # unchanged pages really were skipped
        assert site.path("about/index.html").stat().st_mtime_ns == about_mtime

    # Add an essay.
    (docs / "essays/three.md").write_text(essay("Three", "2025-01-01", homepage_featured="true"), encoding="utf-8")
    _touch_future(docs / "essays/three.md", step)
    rebuild()
    assert featured() == ["Three", "One, revised", "Two"]
    assert listing_titles(site) == ["One, revised", "Three", "Two"]

    # Delete one.
    (docs / "essays/two.md").unlink()
    rebuild()
    assert featured() == ["Three", "One, revised"]
    assert listing_titles(site) == ["One, revised", "Three"]

    # Take one off the home page, and make another a draft.
    (docs / "essays/three.md").write_text(essay("Three", "2025-01-01"), encoding="utf-8")
    (docs / "essays/one.md").write_text(essay("One, revised", "2024-03-01", homepage_featured="true", draft="true"),
                                        encoding="utf-8")
    _touch_future(docs / "essays/three.md", step)
    _touch_future(docs / "essays/one.md", step)
    rebuild()
    assert not site.soup("index.html").select("section.essay-meta-featured")
    assert listing_titles(site) == ["Three"]

    # Edit only the body of an essay: its excerpt follows.
    (docs / "essays/three.md").write_text(essay("Three", "2025-01-01", homepage_featured="true")
                                          .replace("The first paragraph of Three.", "A new opening."), encoding="utf-8")
    _touch_future(docs / "essays/three.md", step)
    rebuild()
    assert excerpts() == ["A new opening."]


def test_sample_essay_listed_on_every_theme(tmp_path: Path, theme: str) -> None:
    pages = {"index.md": HOME, "essays/llm.md": SAMPLE_ESSAY,
             "essays/index.md": "# All essays\n\n<!-- essay-meta:listing group=category -->\n"}
    site = build_site(tmp_path, pages, theme=theme)
    assert site.warnings_beside_the_samples_duplicate() == []
    listing = site.soup("essays/index.html").select_one("section.essay-meta-listing")
    assert listing.select_one("h3").get_text() == "Artificial Intelligence"
    link = listing.select_one(".essay-meta-card__title a")
    assert link["href"] == "llm/"
    assert listing.select_one(".essay-meta-card__excerpt").get_text().startswith("This essay explores")


def test_title_falls_back_to_the_page_heading(tmp_path: Path) -> None:
    pages = {"index.md": HOME, "list.md": "<!-- essay-meta:listing -->\n",
             "essays/untitled.md": "---\nstatus: notes\n---\n\n# A heading *title*\n\nOpening words.\n"}
    site = build_site(tmp_path, pages)
    assert listing_titles(site) == ["A heading title"]
    assert site.soup("list/index.html").select_one(".essay-meta-card__excerpt").get_text() == "Opening words."


@pytest.mark.parametrize("layout", ["cards", "table"])
@pytest.mark.parametrize("plugins", [["search", "essay-meta"], ["essay-meta", "search"]])
def test_search_indexes_the_essays_not_their_cards(tmp_path: Path, layout: str, plugins: list[str],
                                                   theme: str) -> None:
    """A listing repeats every essay's excerpt: search leaves the cards out (the essays
    themselves are indexed), keeping one result per essay and the index small, whichever
    plugin comes first (listings are rendered into the page's HTML after search has read its
    content; on Material, data-search-exclude says the same)."""
    import json
    site = build_site(tmp_path, listing_page(f"<!-- essay-meta:listing layout={layout} -->"),
                      theme=theme, extra={"plugins": plugins})
    assert site.soup("list/index.html").find("a", string="Alpha") is not None
    docs = json.loads(site.text("search/search_index.json"))["docs"]
    listing_text = " ".join(d["text"] + d["title"] for d in docs if d["location"].startswith("list/"))
    essay_text = " ".join(d["text"] for d in docs if d["location"].startswith("essays/alpha/"))
    assert "After the listing." in listing_text
    assert "The first paragraph of Alpha" not in listing_text and "Alpha" not in listing_text
    assert "The first paragraph of Alpha" in essay_text

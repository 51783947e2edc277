"""Other plugins beside ours, in both orders: Material's search, tags and blog plugins,
mkdocs-static-i18n and mkdocs-awesome-nav keep working, and our output stays right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import THEMES, build_site, write_site

ESSAY = """---
title: {title}
description: {description}
publishdate: 2024-03-01
tags: [gardening, time]
categories: [Nature]
status: {{value: In Progress, percentage: 65}}
certainty: likely
importance: 6
is_post_complete: false
---

{body}
"""

ORDERS = ("ours first", "ours last")


def configure(root: Path, pages: dict[str, str], theme: str | dict[str, Any], others: list[Any], order: str,
              ours: dict[str, Any] | None = None) -> None:
    config_file = write_site(root, pages, theme=theme)
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    mine = {"essay-meta": ours or {}}
    config["plugins"] = [mine, *others] if order == "ours first" else [*others, mine]
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def essay_header(site, page: str):
    header = site.soup(page).select_one("header.essay-meta")
    assert header is not None, f"no essay header on {page}"
    return header


def assert_essay_header(header, *, published: str = "Published", date: str = "March 1, 2024") -> None:
    badges = {b["class"][1].removeprefix("essay-meta-badge--"): b for b in header.select(".essay-meta-badge")}
    assert list(badges) == ["status", "certainty", "importance"]
    assert badges["status"].select_one(".essay-meta-badge__value").get_text() == "In Progress"
    assert badges["status"].select_one(".essay-meta-badge__percentage").get_text() == "65%"
    assert [t.get_text() for t in header.select(".essay-meta__tag")] == ["gardening", "time"]
    assert header.select_one(".essay-meta__date--published").get_text(" ", strip=True) == f"{published} {date}"
    assert header.select_one(".essay-meta-notice") is not None


def stylesheet_links(site, page: str) -> list[str]:
    return [link["href"] for link in site.soup(page).select("link[rel=stylesheet]") if "essay-meta" in link["href"]]


def script_links(site, page: str) -> list[str]:
    return [script["src"] for script in site.soup(page).select("script[src]") if "essay-meta" in script["src"]]


@pytest.mark.parametrize("order", ORDERS)
def test_material_search_tags_and_blog(tmp_path: Path, order: str) -> None:
    pages = {
        "index.md": "# Home\n\nWelcome.\n",
        "essays/gardens.md": ESSAY.format(title="Gardens", description="On gardens",
                                          body="Gardens outlive their gardeners."),
        "tags.md": "# Tags\n\n<!-- material/tags -->\n",
        "blog/index.md": "# Blog\n",
        "blog/posts/first.md": "---\ndate: 2024-01-05\ncategories: [Notes]\ntags: [gardening]\n---\n\n"
                               "# First post\n\nThe first post's excerpt.\n\n<!-- more -->\n\nThe rest.\n",
        "blog/posts/second.md": "---\ndate:\n  created: 2024-02-05\n  updated: 2024-02-06\n---\n\n"
                                "# Second post\n\nThe second post.\n",
    }
    configure(tmp_path, pages, "material", ["search", {"tags": {}}, {"blog": {}}], order)
    site = build_site(tmp_path, strict=True)
    assert site.plugin_warnings() == []

    # Ours: the header, once, with every value right.
    assert_essay_header(essay_header(site, "essays/gardens/index.html"))
    assert len(site.soup("essays/gardens/index.html").select("header.essay-meta")) == 1
    assert stylesheet_links(site, "essays/gardens/index.html") == ["../../assets/essay-meta/essay-meta.css"]
    # Material's tags: the chips on the page and the tags index listing the essay and the post.
    essay = site.soup("essays/gardens/index.html")
    assert [a.get_text(strip=True) for a in essay.select(".md-tag")] == ["gardening", "time"]
    tags_index = site.soup("tags/index.html").select_one("article").get_text(" ", strip=True)
    assert "gardening" in tags_index and "Gardens" in tags_index and "First post" in tags_index
    # Material's blog: index with both posts and excerpts, post pages, category page.
    blog = site.soup("blog/index.html").select_one("article, .md-content").get_text(" ", strip=True)
    assert "First post" in blog and "The first post's excerpt." in blog and "The rest." not in blog
    assert "Second post" in blog
    assert site.exists("blog/2024/01/05/first-post/index.html")
    assert site.exists("blog/category/notes/index.html")
    # Material's navigation shows no stray status from our mapping.
    assert "md-status--" not in site.text("essays/gardens/index.html")
    # Search: the essay is indexed with its title and body, and no front-matter text.
    index = json.loads(site.text("search/search_index.json"))
    docs = {d["location"]: d for d in index["docs"]}
    assert docs["essays/gardens/"]["title"] == "Gardens"
    assert "Gardens outlive their gardeners." in docs["essays/gardens/"]["text"]
    assert not any("is_post_complete" in d["text"] or "'value'" in d["text"] for d in index["docs"])


I18N = {"i18n": {"docs_structure": "suffix", "languages": [
    {"locale": "en", "default": True, "name": "English", "build": True},
    {"locale": "fr", "name": "Français", "build": True},
]}}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("theme", THEMES)
def test_static_i18n(tmp_path: Path, theme: str, order: str) -> None:
    pages = {
        "index.md": "# Home\n", "index.fr.md": "# Accueil\n",
        "essays/gardens.md": ESSAY.format(title="Gardens", description="On gardens", body="English body."),
        "essays/gardens.fr.md": ESSAY.format(title="Jardins", description="Des jardins", body="Corps français."),
    }
    configure(tmp_path, pages, theme, [I18N, "search"], order)
    site = build_site(tmp_path, strict=True)
    assert site.plugin_warnings() == []

    english = essay_header(site, "essays/gardens/index.html")
    assert_essay_header(english)
    assert english.select_one(".essay-meta__title").get_text() == "Gardens"
    assert "English body." in site.text("essays/gardens/index.html")

    french = essay_header(site, "fr/essays/gardens/index.html")
    assert_essay_header(french, published="Publié", date="1 mars 2024")
    assert french.select_one(".essay-meta__title").get_text() == "Jardins"
    assert "Corps français." in site.text("fr/essays/gardens/index.html")
    assert site.exists("fr/index.html")
    # One stylesheet link and one script per page, in every language, to files that exist.
    for page in ("essays/gardens/index.html", "fr/essays/gardens/index.html"):
        [href] = stylesheet_links(site, page)
        assert (site.path(page).parent / href).resolve().is_file()
        [src] = script_links(site, page)
        assert (site.path(page).parent / src).resolve().is_file()


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("theme", THEMES)
def test_awesome_nav(tmp_path: Path, theme: str, order: str) -> None:
    pages = {
        "index.md": "# Home\n",
        "zeta.md": "# Zeta\n",
        "essays/gardens.md": ESSAY.format(title="Gardens", description="On gardens", body="Body."),
        "essays/alpha.md": "# Alpha\n",
        ".nav.yml": "nav:\n  - zeta.md\n  - index.md\n  - Writing: essays\n",
        "essays/.nav.yml": "nav:\n  - gardens.md\n  - alpha.md\n",
    }
    configure(tmp_path, pages, theme, ["awesome-nav"], order)
    site = build_site(tmp_path, strict=True)
    assert site.plugin_warnings() == []
    assert_essay_header(essay_header(site, "essays/gardens/index.html"))
    # awesome-nav's order and section title, as the theme shows them.
    soup = site.soup("essays/gardens/index.html")
    shown = [" ".join(el.get_text(" ", strip=True).split()) for el in soup.select("a, label, p.caption")]
    order_seen = [name for name in dict.fromkeys(shown) if name in {"Zeta", "Home", "Writing", "Gardens", "Alpha"}]
    assert order_seen == ["Zeta", "Home", "Writing", "Gardens", "Alpha"], shown


def test_a_blog_posts_front_matter_problem_is_reported_once(tmp_path: Path) -> None:
    """Material's blog posts read their own sources (the plugin hands them nothing): the
    problems on_files found in a post are still reported, once."""
    pages = {
        "index.md": "# Home\n",
        "blog/index.md": "# Blog\n",
        "blog/posts/post.md": "---\ndate: 2024-01-05\ntitle: A post\nimportance: 11\n---\n\n# A post\n\nText.\n",
    }
    configure(tmp_path, pages, "material", [{"blog": {}}], "ours first")
    warnings = build_site(tmp_path).plugin_warnings()
    assert sum("post.md" in w and "importance" in w for w in warnings) == 1, warnings

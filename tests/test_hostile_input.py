"""Hostile front matter and configuration: markup, event handlers, quote breaking, dangerous
links and template syntax in every field the plugin renders, on all three themes.

Every page is compared with the same site built from harmless words: the hostile build must
have exactly the same elements (nothing injected), no ``on*`` attribute anywhere, only allowed
link schemes in our elements, and each value must read exactly as the author typed it.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from conftest import THEMES, build_site
from mkdocs_essay_meta.structure.links import safe_url

PAYLOADS: dict[str, str] = {
    "script": '<script>alert("essay-meta")</script>',
    "event-handler": "<img src=x onerror=alert(1)><svg/onload=alert(2)>",
    "quote-breaking": "\"'><b onmouseover=alert(3) x=\"'",
    "closing-tags": "</title></textarea></style></script><script>alert(4)</script>",
    "template": "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %} {# comment #} ${7*7}",
    "entities": "&lt;i&gt; &amp; &#60;script&#62; &quot; &nbsp;",
    "javascript-text": "javascript:alert(5)",
}
"""Text an author (or a contributor) might put in any field."""

DANGEROUS_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VbScRiPt:msgbox(1)",
    "file:///etc/passwd",
]
SAFE_LINKS = ["https://example.com/a?b=c&d=e", "http://example.com", "mailto:someone@example.com",
              "../other/", "#section", "/absolute/path", "page.md"]
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def essay_page(text: str, term: str) -> str:
    """An essay whose every rendered field holds ``text``; ratings use the (hostile) vocabulary."""
    value = json.dumps(text)
    return f"""---
title: {value}
meta_title: {value}
description: {value}
excerpt: {value}
publishdate: 2024-03-01
lastmod: {json.dumps("2024-03-02T10:00:00Z" + text)}
tags: [{value}, plain tag]
categories: [{value}]
status: {term}
certainty: likely
importance: 7
is_post_complete: false
homepage_featured: true
bibliography:
  - title: {value}
    link: https://example.com/source
---

Body text of the essay.
"""


def plain_page(text: str) -> str:
    """Not an essay: only the title and description every theme prints itself."""
    return f"---\ntitle: {json.dumps(text)}\ndescription: {json.dumps(text)}\n---\n\nPlain body.\n"


def vocabularies(text: str) -> dict[str, Any]:
    return {
        "status": {"label": text, "explanation": text,
                   "terms": {"hostile": {"label": text, "description": text, "percentage": 40}}},
        "certainty": {"terms": {"likely": {"label": text, "description": text}}},
        "importance": {"label": text, "explanation": text},
    }


def labels(text: str) -> dict[str, str]:
    return {name: text for name in ("published", "updated", "tags", "categories", "ratings",
                                    "incomplete_title", "incomplete_text", "default_percentage")}


@pytest.fixture(scope="module", params=THEMES)
def sites(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(hostile site, harmless site) for one theme; every payload page is in both."""
    theme = request.param
    hostile_root = tmp_path_factory.mktemp(f"hostile-{theme}")
    harmless_root = tmp_path_factory.mktemp(f"harmless-{theme}")
    # Each payload page carries its own payload; vocabulary and labels carry all of them.
    everything = " ".join(PAYLOADS.values())
    pages = {"index.md": "# Home\n\nThe home page.\n"}
    pages.update({f"{name}.md": essay_page(payload, "hostile") for name, payload in PAYLOADS.items()})
    pages["plain.md"] = plain_page(everything)
    plugin = {"vocabularies": vocabularies(everything), "labels": labels(everything), "material_status": True}
    hostile = build_site(hostile_root, pages, theme=theme, plugin=plugin)
    harmless_pages = {"index.md": pages["index.md"]}
    harmless_pages.update({f"{name}.md": essay_page("harmless words", "hostile") for name in PAYLOADS})
    harmless_pages["plain.md"] = plain_page("harmless words")
    harmless_plugin = {"vocabularies": vocabularies("harmless words"), "labels": labels("harmless words"),
                       "material_status": True}
    harmless = build_site(harmless_root, harmless_pages, theme=theme, plugin=harmless_plugin)
    return theme, hostile, harmless, everything


def ours(soup: BeautifulSoup) -> list[Any]:
    """Every element the plugin rendered (the header and anything else with our class prefix)."""
    return [el for el in soup.find_all(True)
            if any(c.startswith("essay-meta") for c in el.get("class", []))]


def scheme_of(url: str) -> str | None:
    probe = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", probe)
    return m.group(1).lower() if m else None


PAGES = ["index.html", "plain/index.html"] + [f"{name}/index.html" for name in PAYLOADS]


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_injected(sites, page: str) -> None:
    theme, hostile, harmless, _ = sites
    soup, baseline = hostile.soup(page), harmless.soup(page)
    # The same elements as with harmless words: no <script>, <img>, <svg>, <b> ... added.
    assert Counter(el.name for el in soup.find_all(True)) == Counter(el.name for el in baseline.find_all(True))
    # No event-handler attribute anywhere on the page (the themes have none of their own).
    handlers = [(el.name, a) for el in soup.find_all(True) for a in el.attrs if a.lower().startswith("on")]
    assert handlers == []
    # The theme's scripts are the only scripts, unchanged.
    assert [s.get("src") for s in soup.find_all("script")] == [s.get("src") for s in baseline.find_all("script")]
    for el in ours(soup):
        for attr in ("href", "src", "action", "formaction", "xlink:href"):
            if el.get(attr) is not None:
                assert scheme_of(el[attr]) in ALLOWED_SCHEMES | {None}, el


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_text_reads_as_typed(sites, name: str) -> None:
    theme, hostile, _, everything = sites
    typed = PAYLOADS[name]
    soup = hostile.soup(f"{name}/index.html")
    [header] = soup.select("header.essay-meta")
    assert header.select_one(".essay-meta__title").get_text() == typed
    assert header.select_one(".essay-meta__description").get_text() == typed
    assert [li.get_text() for li in header.select(".essay-meta__tag")] == [typed, "plain tag"]
    assert [li.get_text() for li in header.select(".essay-meta__category")] == [typed]
    assert header.select_one("dt").get_text() == everything  # the categories label
    status = header.select_one(".essay-meta-badge--status")
    assert status.select_one(".essay-meta-badge__label").get_text() == everything
    assert status.select_one(".essay-meta-badge__value").get_text() == everything
    assert status.select_one(".essay-meta-badge__percentage").get_text() == "40%"
    tooltip = status.select_one(".essay-meta-badge__explanation").get_text()
    assert tooltip == f"{everything}: {everything} {everything}: {everything} (40%: {everything})"
    certainty = header.select_one(".essay-meta-badge--certainty")
    assert certainty.select_one(".essay-meta-badge__value").get_text() == everything
    importance = header.select_one(".essay-meta-badge--importance")
    assert importance.select_one(".essay-meta-badge__label").get_text() == everything
    assert header.select_one(".essay-meta-notice").get_text(" ", strip=True) == f"{everything} {everything}"
    # Head tags: meta_title is the whole <title>; the description is the <meta> content.
    assert soup.title.get_text() == typed
    [description] = soup.find_all("meta", attrs={"name": "description"})
    assert description["content"] == typed
    # The unparseable lastmod (a date followed by the payload) is reported, never shown.
    assert len(header.select("time")) == 1
    # Template syntax stays text: nothing was evaluated.
    assert "looploop" not in soup.get_text()
    if name == "template":
        assert "{{ 7*7 }}" in header.select_one(".essay-meta__title").get_text()


def test_titles_read_as_typed_in_theme_navigation(sites) -> None:
    """Themes print page titles in navigation: front-matter titles must read as typed there too."""
    theme, hostile, _, _ = sites
    soup = hostile.soup("index.html")
    nav_texts = {a.get_text(strip=True) for a in soup.find_all("a")}
    for typed in PAYLOADS.values():
        assert " ".join(typed.split()) in {" ".join(t.split()) for t in nav_texts}, typed


def test_plain_page_title_and_description_read_as_typed(sites) -> None:
    """No meta_title here: the theme's own <title> (Material's goes through striptags) and <meta>."""
    theme, hostile, _, everything = sites
    soup = hostile.soup("plain/index.html")
    assert soup.title.get_text() == f"{everything} - Essays"
    descriptions = [m["content"] for m in soup.find_all("meta", attrs={"name": "description"})]
    assert descriptions == [everything]
    assert soup.find(string=re.compile("Plain body"))


def test_hostile_warnings_are_plain_text(sites) -> None:
    _, hostile, _, _ = sites
    warnings = hostile.plugin_warnings()
    assert len(warnings) == len(PAYLOADS)  # one per page: the lastmod that is not a date
    for warning in warnings:
        assert "field 'lastmod' has '2024-03-02T10:00:00Z" in warning
        assert "\n" not in warning and len(warning) < 400


@pytest.mark.parametrize("link", DANGEROUS_LINKS)
def test_dangerous_links_are_refused(link: str) -> None:
    assert safe_url(link) is None


@pytest.mark.parametrize("link", SAFE_LINKS)
def test_safe_links_are_kept(link: str) -> None:
    assert safe_url(link) == link


@pytest.mark.parametrize("theme", THEMES)
def test_bibliography_links_only_with_allowed_schemes(tmp_path: Path, theme: str) -> None:
    """Every dangerous link in a bibliography: none becomes a link, every title still shows."""
    entries = "\n".join(f"  - title: {json.dumps(f'Source {i}')}\n    link: {json.dumps(link)}"
                        for i, link in enumerate(DANGEROUS_LINKS))
    page = f"---\nstatus: draft\nbibliography:\n{entries}\n  - title: Good source\n    link: https://example.com/good\n---\n\nBody.\n"
    site = build_site(tmp_path, {"index.md": page}, theme=theme)
    soup = site.soup("index.html")
    section = [el for el in ours(soup) if "bibliograph" in " ".join(el.get("class", []))]
    if not section:
        pytest.skip("the bibliography is not rendered on this branch yet")
    links = [a["href"] for el in section for a in el.find_all("a", href=True)]
    assert all(scheme_of(href) in ALLOWED_SCHEMES | {None} for href in links), links
    assert "https://example.com/good" in links
    text = " ".join(el.get_text(" ") for el in section)
    for i in range(len(DANGEROUS_LINKS)):
        assert f"Source {i}" in text
    assert len(site.plugin_warnings()) == len(DANGEROUS_LINKS)

"""Plugin behaviour on real builds: overrides, drafts, Material status, strictness, rebuilds."""

from __future__ import annotations

import json
import re
import os
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import SAMPLE_ESSAY, build_site, write_site

ESSAY = "---\ntitle: A small essay\nstatus: draft\ncertainty: likely\nimportance: 4\n---\n\nBody of the small essay.\n"


def test_custom_dir_partial_overrides_the_plugins(tmp_path: Path, theme: str) -> None:
    override = tmp_path / "overrides" / "essay-meta" / "notice.html"
    override.parent.mkdir(parents=True)
    override.write_text('<p class="my-notice">Still cooking: {{ essay.title }}</p>\n')
    main = tmp_path / "overrides" / "main.html"
    main.write_text('{% extends "base.html" %}\n{% block htmltitle %}<title>Mine</title>{% endblock %}\n')
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY}, theme={"name": theme, "custom_dir": "overrides"})
    soup = site.soup("index.html")
    assert soup.select_one(".essay-meta-notice") is None
    assert soup.select_one("header.essay-meta .my-notice").get_text() == (
        "Still cooking: The Future of Large Language Models: Trends and Predictions")
    assert soup.title.get_text() == "Mine"  # the user's own main.html still applies
    assert soup.select_one(".essay-meta-badge--status") is not None


def test_draft_is_left_out_of_the_built_site(tmp_path: Path, theme: str) -> None:
    pages = {"index.md": "# Home\n", "draft.md": ESSAY.replace("importance: 4", "importance: 4\ndraft: true"),
             "kept.md": ESSAY}
    site = build_site(tmp_path, pages, theme=theme, extra={"site_url": "https://example.org/"})
    assert not site.exists("draft/index.html")
    assert site.exists("kept/index.html")
    assert "draft/" not in str(site.soup("index.html").select("nav, .md-nav, .wy-menu"))
    assert "draft/" not in site.text("sitemap.xml")
    index = next(site.site_dir.glob("search/search_index.json"))
    assert "draft/" not in json.dumps(json.loads(index.read_text())["docs"])


def test_draft_is_served_with_a_banner(tmp_path: Path) -> None:
    pages = {"index.md": "# Home\n", "draft.md": ESSAY.replace("importance: 4", "importance: 4\ndraft: true")}
    site = build_site(tmp_path, pages, serve=True)
    banner = site.soup("draft/index.html").select_one("header.essay-meta .essay-meta-draft")
    assert banner is not None and "left out of the built site" in banner.get_text()


def test_future_publishdate_is_held_back_unless_allowed(tmp_path: Path) -> None:
    future = ESSAY.replace("importance: 4", "importance: 4\npublishdate: 2999-01-01")
    site = build_site(tmp_path, {"index.md": "# Home\n", "later.md": future})
    assert not site.exists("later/index.html")
    served = build_site(tmp_path, serve=True)
    assert "Publishes on January 1, 2999" in served.soup("later/index.html").select_one(".essay-meta-draft").get_text()
    allowed = build_site(tmp_path, {"index.md": "# Home\n", "later.md": future}, plugin={"publish_future": True})
    assert allowed.exists("later/index.html")


def test_material_status_mapping_never_reaches_navigation(tmp_path: Path) -> None:
    page = SAMPLE_ESSAY.replace("value: In Progress", 'value: In Progress" onmouseover="alert(1)')
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": page}, theme="material")
    html = site.text("index.html")
    assert "md-status" not in html and "onmouseover" not in html
    assert site.plugin_warnings()  # the bad status word is reported


def test_material_status_icons_from_essay_status(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": "# Home\n", "essay.md": SAMPLE_ESSAY, "own.md": "---\nstatus: new\n---\n# Own\n"},
                      theme="material", plugin={"material_status": True},
                      extra={"extra": {"status": {"new": "Recently added"}}})
    nav = site.soup("index.html")
    essay_item = nav.select_one(".md-status--essay-in-progress")
    assert essay_item is not None and essay_item["title"] == "Status: In Progress"
    assert nav.select_one(".md-status--new") is not None  # the user's own status ids still work
    assert site.warnings_beside_the_samples_duplicate() == []
    assert ".md-status--essay-in-progress:after" in site.text("assets/essay-meta/essay-meta.css")


def test_yaml_error_is_reported_and_body_still_builds(tmp_path: Path, theme: str) -> None:
    page = "---\ntitle: Broken\nstatus: [finished\n---\n\nThe body survives.\n"
    site = build_site(tmp_path, {"index.md": page, "ok.md": ESSAY}, theme=theme)
    [warning] = site.plugin_warnings()
    assert "index.md" in warning and "not valid YAML" in warning and "line 4" in warning and "starts at line 3" in warning
    soup = site.soup("index.html")
    assert "The body survives." in soup.get_text()
    assert "status: [finished" not in soup.get_text()
    assert site.soup("ok/index.html").select_one("header.essay-meta") is not None
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_aliases_in_a_real_build(tmp_path: Path) -> None:
    page = "---\nconfidence: unlikely\ndate: 2024-05-01\nupdated: 2024-06-01\nfeatured: true\n---\n\nBody.\n"
    site = build_site(tmp_path, {"index.md": page}, strict=True)
    header = site.soup("index.html").select_one("header.essay-meta")
    assert header.select_one(".essay-meta-badge--certainty .essay-meta-badge__value").get_text() == "Unlikely"
    assert [t["datetime"][:10] for t in header.select("time")] == ["2024-05-01", "2024-06-01"]


def test_configured_vocabulary_and_labels(tmp_path: Path) -> None:
    plugin = {"vocabularies": {"status": {"terms": {"sketch": {"label": "Sketch", "percentage": 15,
                                                               "description": "Barely begun."}}}},
              "labels": {"published": "First written"}}
    page = "---\nstatus: sketch\npublishdate: 2024-05-01\n---\n\nBody.\n"
    header = build_site(tmp_path, {"index.md": page}, plugin=plugin, strict=True).soup("index.html").select_one("header")
    assert header.select_one(".essay-meta-badge__value").get_text() == "Sketch"
    assert "Barely begun." in header.select_one(".essay-meta-badge__explanation").get_text()
    assert "First written" in header.select_one(".essay-meta__dates").get_text()


def test_bad_plugin_configuration_stops_the_build(tmp_path: Path) -> None:
    with pytest.raises(Abort):
        build_site(tmp_path, {"index.md": "# x\n"}, plugin={"timezone": "Mars/Olympus"})


def test_disabled_plugin_does_nothing(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"index.md": SAMPLE_ESSAY}, plugin={"enabled": False})
    assert site.soup("index.html").select_one(".essay-meta") is None
    assert not site.exists("assets/essay-meta/essay-meta.css")
    assert not site.exists("assets/essay-meta/essay-meta.js")
    assert not [s for s in site.soup("index.html").select("script[src]") if "essay-meta" in s["src"]]


def test_description_becomes_meta_description_on_plain_pages(tmp_path: Path, theme: str) -> None:
    page = '---\ndescription: Quotes " and <tags>\n---\n\n# Plain\n'
    site = build_site(tmp_path, {"index.md": "# Home\n", "plain.md": page}, theme=theme)
    metas = site.soup("plain/index.html").find_all("meta", attrs={"name": "description"})
    assert [m["content"] for m in metas] == ['Quotes " and <tags>']


def test_front_matter_text_is_escaped(tmp_path: Path, theme: str) -> None:
    page = ('---\ntitle: "<script>alert(1)</script>"\ndescription: "{{ 7*7 }} <b>bold</b>"\n'
            'tags: ["<img src=x onerror=alert(1)>"]\nstatus: finished\n---\n\nBody.\n')
    soup = build_site(tmp_path, {"index.md": page}, theme=theme).soup("index.html")
    header = soup.select_one("header.essay-meta")
    assert header.find("script") is None and header.find("img") is None and header.find("b") is None
    assert header.select_one(".essay-meta__title").get_text() == "<script>alert(1)</script>"
    assert header.select_one(".essay-meta__description").get_text() == "{{ 7*7 }} <b>bold</b>"
    assert header.select_one(".essay-meta__tag").get_text() == "<img src=x onerror=alert(1)>"


def _snapshot(site_dir: Path) -> dict[str, str]:
    skip = ("sitemap.xml.gz",)
    return {str(p.relative_to(site_dir)): re.sub(r"Build Date UTC : .*", "", p.read_text(encoding="utf-8", errors="replace"))
            for p in sorted(site_dir.rglob("*")) if p.is_file() and p.name not in skip}


@pytest.mark.parametrize("dirty", [False, True], ids=["plain", "dirty"])
def test_rebuilds_in_one_process_give_the_same_output(tmp_path: Path, dirty: bool) -> None:
    pages = {"index.md": "# Home\n", "a.md": SAMPLE_ESSAY, "b.md": ESSAY,
             "bad.md": ESSAY.replace("likely", "likelyish")}
    write_site(tmp_path, pages, theme="mkdocs")
    first = build_site(tmp_path, serve=True)
    before = _snapshot(first.site_dir)
    from mkdocs.config import load_config
    plugin = load_config(str(tmp_path / "mkdocs.yml")).plugins["essay-meta"]
    records = len(plugin._records)  # type: ignore[attr-defined]
    second = build_site(tmp_path, serve=True, dirty=dirty)
    after = _snapshot(second.site_dir)
    if dirty:  # MkDocs itself rewrites these from the pages it re-read (none, here)
        for name in ("search/search_index.json", "404.html"):
            before.pop(name), after.pop(name)
    assert after == before
    assert second.plugin_warnings() == first.plugin_warnings()
    assert len(first.warnings_beside_the_samples_duplicate()) == 1
    assert len(plugin._records) == records == 4  # type: ignore[attr-defined]

    # An edit is picked up by the next build, dirty or not.
    time.sleep(0.01)
    (tmp_path / "docs" / "b.md").write_text(ESSAY.replace("status: draft", "status: finished"))
    third = build_site(tmp_path, serve=True, dirty=dirty)
    value = third.soup("b/index.html").select_one(".essay-meta-badge--status .essay-meta-badge__value")
    assert value.get_text() == "Finished"
    # A deleted page's state goes with it.
    os.remove(tmp_path / "docs" / "a.md")
    build_site(tmp_path, serve=True, dirty=dirty)
    assert "a.md" not in plugin._records  # type: ignore[attr-defined]

"""What a reader sees in a real browser: this project's own site, in Debian's Chromium.

The site (mkdocs.yml + docs/) is built into a temporary folder four times — as
configured, on the Material theme (light and dark palettes, chosen by the browser's
colour scheme), as variants on the ``mkdocs`` theme in its light and dark colour
modes, and on the ``readthedocs`` theme — and served over HTTP on
127.0.0.1. Every request to any other host is answered with an empty response by the test
itself, so nothing leaves the machine and no web font can block a page.

Skipped when /usr/bin/chromium or Playwright is missing, except when the ``CI``
environment variable is set: there a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import build_site

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "tests" / "screenshots"

# Pages written on other branches; until they are merged, placeholders stand in for them.
OTHER_BRANCH_PAGES = ("bibliography.md", "listings.md", "performance.md", "robustness.md")

ESSAY = "essays/half-life-of-notes/"
"""In progress, unfinished (notice), all three ratings with meters, and a bibliography."""
ESSAY_WITH_LONG_BIBLIOGRAPHY = "essays/revising-in-public/"
HOME = ""

WIDTHS = (375, 1280)


def _require_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    else:
        try:
            import axe_playwright_python  # noqa: F401
            import playwright.sync_api  # noqa: F401
        except ImportError as e:
            problem = f"Playwright or axe-playwright-python is not installed ({e.name}): pip install -e '.[test]'"
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI, but {problem}")
    pytest.skip(f"browser tests skipped: {problem}")


# -- the served site ---------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class ServedSites:
    base_url: str
    """``http://127.0.0.1:PORT/``; one folder per variant (``material/``, ``mkdocs/``, …)."""

    def url(self, variant: str, page: str) -> str:
        return f"{self.base_url}{variant}/{page}"


def _copy_project_site(target: Path) -> dict[str, Any]:
    """Copy mkdocs.yml and docs/ to ``target``; return the configuration as data."""
    shutil.copytree(ROOT / "docs", target / "docs")
    for name in OTHER_BRANCH_PAGES:
        page = target / "docs" / name
        if not page.exists():
            page.write_text(f"# {name[:-3].title()}\n\nWritten on another branch.\n", encoding="utf-8")
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def _build_variant(root: Path, config: dict[str, Any]) -> Path:
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site = build_site(root)
    return site.site_dir


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSites]:
    _require_browser()
    www = tmp_path_factory.mktemp("www")
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for variant in ("material", "mkdocs", "mkdocs-dark", "readthedocs"):
            root = tmp_path_factory.mktemp(f"src-{variant}")
            config = _copy_project_site(root)
            # Material's instant navigation needs to know the site's own address.
            config["site_url"] = f"{base_url}{variant}/"
            if variant.startswith("mkdocs"):
                # highlight.js would come from a CDN; pymdownx.highlight colours code already.
                config["theme"] = {"name": "mkdocs", "highlightjs": False,
                                   "color_mode": "dark" if variant == "mkdocs-dark" else "light"}
            elif variant == "readthedocs":
                config["theme"] = {"name": "readthedocs", "highlightjs": False}
            shutil.copytree(_build_variant(root, config), www / variant)
        yield ServedSites(base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(served: ServedSites) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


THEME_CONSOLE_ERRORS = {
    # MkDocs' darkmode.js toggles highlight.js stylesheets that the theme only writes
    # with `highlightjs: true`; the variant turns highlight.js off (it is a CDN script).
    "mkdocs-dark": {"Cannot set properties of null (setting 'disabled')"},
}
"""Console errors the theme's own scripts raise in a variant, whatever the plugin does."""


@dataclass
class Tab:
    page: Any
    errors: list[str] = field(default_factory=list)


def _answer_offline(route: Any) -> None:
    """Requests to other hosts (web fonts, CDNs) get an empty answer, never the network."""
    url = route.request.url
    kind = "text/css" if ".css" in url or "css?" in url else "application/octet-stream"
    route.fulfill(status=200, content_type=kind, body="")


@pytest.fixture
def open_tab(browser: Any, served: ServedSites) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_tab(variant: str, page: str, *, width: int = 1280, dark: bool = False) -> Tab:
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            color_scheme="dark" if dark else "light",
            reduced_motion="reduce",
        )
        contexts.append(context)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), _answer_offline)
        tab = Tab(context.new_page())
        expected = THEME_CONSOLE_ERRORS.get(variant, set())

        def record(message: str) -> None:
            if message not in expected:
                tab.errors.append(message)

        tab.page.on("console", lambda m: record(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda e: record(str(e)))
        tab.page.goto(served.url(variant, page), wait_until="load")
        if variant == "material":
            scheme = tab.page.get_attribute("body", "data-md-color-scheme")
            assert scheme == ("slate" if dark else "default"), f"palette not applied: {scheme}"
        return tab

    yield open_tab
    for context in contexts:
        context.close()


# -- geometry helpers --------------------------------------------------------------------

_BOXES_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          width: r.width, height: r.height,
          visible: s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0,
          text: el.textContent.trim().slice(0, 60)};
})
"""


def boxes(tab: Tab, selector: str) -> list[dict[str, Any]]:
    return tab.page.evaluate(_BOXES_JS, selector)


def inner_width(tab: Tab) -> int:
    return tab.page.evaluate("window.innerWidth")


def assert_inside_viewport(tab: Tab, selector: str, *, at_least: int = 1) -> list[dict[str, Any]]:
    found = boxes(tab, selector)
    assert len(found) >= at_least, f"expected {at_least}+ of {selector!r}, found {len(found)}"
    width = inner_width(tab)
    for box in found:
        assert box["visible"], f"{selector} is not visible: {box}"
        assert box["left"] >= -0.5 and box["right"] <= width + 0.5, (
            f"{selector} ({box['text']!r}) spans {box['left']:.0f}–{box['right']:.0f}px, "
            f"outside the {width}px viewport")
    return found


def assert_no_overlap(found: list[dict[str, Any]], what: str) -> None:
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            apart = (a["right"] <= b["left"] + 0.5 or b["right"] <= a["left"] + 0.5
                     or a["bottom"] <= b["top"] + 0.5 or b["bottom"] <= a["top"] + 0.5)
            assert apart, f"{what} overlap: {a['text']!r} and {b['text']!r}"


def assert_no_horizontal_overflow(tab: Tab) -> None:
    scroll_width, width = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= width, f"the page scrolls sideways: {scroll_width}px wide in a {width}px viewport"


def has_bibliography(tab: Tab) -> bool:
    return tab.page.locator(".essay-meta-bibliography").count() > 0


# -- tests -------------------------------------------------------------------------------

VARIANTS = [("material", False), ("material", True), ("mkdocs", False), ("mkdocs-dark", True),
            ("readthedocs", False)]
VARIANT_IDS = ["material-light", "material-dark", "mkdocs", "mkdocs-dark", "readthedocs"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_essay_header_fits_the_viewport(open_tab: Any, variant: str, dark: bool, width: int) -> None:
    tab = open_tab(variant, ESSAY, width=width, dark=dark)
    assert_no_horizontal_overflow(tab)
    assert_inside_viewport(tab, "header.essay-meta")
    assert_inside_viewport(tab, ".essay-meta__title")
    assert_inside_viewport(tab, ".essay-meta__dates time", at_least=2)
    badges = assert_inside_viewport(tab, ".essay-meta-badge", at_least=3)
    assert_no_overlap(badges, "badges")
    if width >= 1000:  # room enough: the badges share one row (a theme's list styles must not stack them)
        assert max(b["top"] for b in badges) - min(b["top"] for b in badges) < 2, badges
    meters = assert_inside_viewport(tab, ".essay-meta-meter", at_least=3)
    fills = boxes(tab, ".essay-meta-meter__fill")
    for meter, fill in zip(meters, fills):
        assert 0 < fill["width"] <= meter["width"] + 0.5, f"meter fill outside its meter: {fill}"
    assert_no_overlap(assert_inside_viewport(tab, ".essay-meta__tag", at_least=3), "tags")
    assert_inside_viewport(tab, ".essay-meta-notice")
    # The explanations stay hidden until asked for.
    assert not any(b["visible"] for b in boxes(tab, ".essay-meta-badge__explanation"))
    # The header sits above the essay's text, not on top of it.
    header = boxes(tab, "header.essay-meta")[0]
    first_paragraph = boxes(tab, "header.essay-meta ~ p")[0]
    assert header["bottom"] <= first_paragraph["top"] + 0.5


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_bibliography_fits_the_viewport(open_tab: Any, variant: str, dark: bool, width: int) -> None:
    tab = open_tab(variant, ESSAY_WITH_LONG_BIBLIOGRAPHY, width=width, dark=dark)
    if not has_bibliography(tab):
        pytest.skip("the bibliography section is not rendered on this branch yet (no .essay-meta-bibliography)")
    assert_no_horizontal_overflow(tab)
    assert_inside_viewport(tab, ".essay-meta-bibliography")
    assert_inside_viewport(tab, ".essay-meta-bibliography li", at_least=4)


def _explanation_of(tab: Tab, badge: Any) -> Any:
    return tab.page.locator(f"[id='{badge.get_attribute('aria-describedby')}']")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_badge_explains_itself_on_hover(open_tab: Any, variant: str, dark: bool, width: int) -> None:
    from playwright.sync_api import expect

    tab = open_tab(variant, ESSAY, width=width, dark=dark)
    for scale in ("status", "certainty", "importance"):
        badge = tab.page.locator(f".essay-meta-badge--{scale}").first
        badge.hover()
        explanation = _explanation_of(tab, badge)
        expect(explanation).to_be_visible()
        expect(explanation).to_have_css("opacity", "1")
        assert_inside_viewport(tab, f"#{explanation.get_attribute('id')}")
        assert_no_horizontal_overflow(tab)
        # Nothing hides it: the element at its centre is the explanation itself.
        box = explanation.bounding_box()
        on_top = tab.page.evaluate(
            """([x, y, id]) => {
                 const tip = document.getElementById(id), saved = tip.style.pointerEvents;
                 tip.style.pointerEvents = 'auto';  // elementFromPoint skips pointer-events: none
                 const el = document.elementFromPoint(x, y);
                 tip.style.pointerEvents = saved;
                 return !!el && !!el.closest('#' + id);
               }""",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, explanation.get_attribute("id")])
        assert on_top, f"the {scale} explanation is covered by another element"
    tab.page.mouse.move(0, 0)


@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_keyboard_focus_reaches_badges_and_shows_explanation(open_tab: Any, variant: str, dark: bool) -> None:
    from playwright.sync_api import expect

    tab = open_tab(variant, ESSAY, width=375, dark=dark)
    tab.page.locator("body").focus()
    reached: list[str] = []
    for _ in range(120):  # a bounded walk through the page's focusable elements
        tab.page.keyboard.press("Tab")
        classes = tab.page.evaluate("document.activeElement && document.activeElement.className") or ""
        if "essay-meta-badge" in str(classes):
            reached.append(str(classes))
            if len(reached) == 3:
                break
    assert len(reached) == 3, "Tab did not reach the three badges"
    badge = tab.page.locator(":focus")
    explanation = _explanation_of(tab, badge)
    expect(explanation).to_be_visible()
    assert_inside_viewport(tab, f"#{explanation.get_attribute('id')}")
    outline = badge.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline not in ("none", ""), "a focused badge shows no focus ring"
    # Escape dismisses it without moving the focus (WCAG 1.4.13); focusing the badge again shows it.
    tab.page.keyboard.press("Escape")
    expect(explanation).to_be_hidden()
    expect(badge).to_be_focused()
    tab.page.keyboard.press("Shift+Tab")
    tab.page.keyboard.press("Tab")
    expect(explanation).to_be_visible()
    assert tab.errors == []


@pytest.mark.parametrize(("variant", "dark"), [VARIANTS[i] for i in (0, 2, 4)], ids=[VARIANT_IDS[i] for i in (0, 2, 4)])
def test_escape_dismisses_a_hovered_badges_explanation_until_the_pointer_leaves(
        open_tab: Any, variant: str, dark: bool) -> None:
    from playwright.sync_api import expect

    tab = open_tab(variant, ESSAY, width=1280, dark=dark)
    badge = tab.page.locator(".essay-meta-badge--certainty").first
    badge.hover()
    explanation = _explanation_of(tab, badge)
    expect(explanation).to_be_visible()
    tab.page.keyboard.press("Escape")
    expect(explanation).to_be_hidden()
    box = badge.bounding_box()  # the pointer moves within the badge: still dismissed
    tab.page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2, steps=4)
    expect(explanation).to_be_hidden()
    tab.page.mouse.move(0, 0)
    badge.hover()
    expect(explanation).to_be_visible()
    tab.page.mouse.move(0, 0)
    assert tab.errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_listing_legend_opens_readably(open_tab: Any, variant: str, dark: bool, width: int) -> None:
    """The featured index explains its badges once: a closed legend that opens on a click,
    inside the viewport and readable; the cards' badges show no tooltip on hover."""
    from playwright.sync_api import expect

    tab = open_tab(variant, HOME, width=width, dark=dark)
    legend = tab.page.locator(".essay-meta-listing details.essay-meta-legend")
    expect(legend).to_have_count(1)
    terms = legend.locator(".essay-meta-legend__terms dt")
    expect(terms.first).to_be_hidden()
    card_badge = tab.page.locator(".essay-meta-card .essay-meta-badge").first
    card_badge.hover()
    assert not any(b["visible"] for b in boxes(tab, ".essay-meta-card .essay-meta-badge__explanation"))
    legend.locator("summary").click()
    expect(terms.first).to_be_visible()
    assert_inside_viewport(tab, ".essay-meta-legend__terms dt", at_least=3)
    assert_no_horizontal_overflow(tab)
    for item in tab.page.evaluate(_CONTRAST_JS, ".essay-meta-legend dt, .essay-meta-legend dd"):
        assert item["ratio"] >= 4.5, f"legend text {item['text']!r} at contrast {item['ratio']:.1f}:1"
    assert tab.errors == []


def test_instant_navigation_keeps_the_header(open_tab: Any) -> None:
    from playwright.sync_api import expect

    tab = open_tab("material", HOME)
    # Material intercepts clicks once it has fetched the sitemap: wait for the network to settle.
    tab.page.wait_for_load_state("networkidle")
    tab.page.evaluate("window.__stillTheSameDocument = true")
    tab.page.locator("article a[href*='revising-in-public']").first.click()
    tab.page.wait_for_url(re.compile(r"revising-in-public/?$"))
    expect(tab.page.locator("header.essay-meta")).to_be_visible()
    assert tab.page.evaluate("window.__stillTheSameDocument === true"), \
        "the click loaded a new document: navigation.instant did not handle it"
    assert_inside_viewport(tab, ".essay-meta-badge", at_least=3)
    badge = tab.page.locator(".essay-meta-badge--status")
    badge.hover()
    expect(_explanation_of(tab, badge)).to_be_visible()
    # On to another essay through the navigation, and back with the browser's history.
    tab.page.locator(".md-nav a[href*='half-life-of-notes']").first.click()
    tab.page.wait_for_url(re.compile(r"half-life-of-notes/?$"))
    expect(tab.page.locator(".essay-meta-notice")).to_be_visible()
    tab.page.go_back()
    tab.page.wait_for_url(re.compile(r"revising-in-public/?$"))
    expect(tab.page.locator("header.essay-meta .essay-meta-badge--status")).to_be_visible()
    assert tab.page.evaluate("window.__stillTheSameDocument === true")
    assert tab.errors == []


def test_palette_toggle_restyles_the_header(open_tab: Any) -> None:
    """Switching Material's palette at run time re-colours the badges, readably."""
    tab = open_tab("material", ESSAY)
    badge = tab.page.locator(".essay-meta-badge--status")
    light = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    tab.page.locator("form[data-md-component=palette] label:visible").first.click()
    tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    dark = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert dark != light, "the badge kept its light background on the dark palette"
    for item in tab.page.evaluate(_CONTRAST_JS, ".essay-meta-badge__value, .essay-meta-badge__label"):
        assert item["ratio"] >= 4.5, f"{item['text']!r} at contrast {item['ratio']:.1f}:1 after the toggle"
    assert tab.errors == []


@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_no_console_errors(open_tab: Any, variant: str, dark: bool) -> None:
    for page in (HOME, ESSAY, ESSAY_WITH_LONG_BIBLIOGRAPHY):
        tab = open_tab(variant, page, dark=dark)
        assert tab.errors == [], f"{page or 'home'}: {tab.errors}"


OUR_ELEMENTS = ("header.essay-meta", ".essay-meta-bibliography", ".essay-meta-listing", ".essay-meta-card")

THEME_OWNED = {
    # Material's search overlay is role=dialog without a name; no stylesheet can add one.
    ("aria-dialog-name", ".md-search"),
}
"""(axe rule, target) pairs in the theme's own markup that this project cannot fix."""


def _is_theme_link_colour(rule: str, node: dict[str, Any]) -> bool:
    """A link inside the plugin's elements drawn in the theme's own link colour.

    The plugin leaves link colours to the theme; the mkdocs theme's (#2fa4e7) and
    readthedocs' (#2980b9) fall short of 4.5:1 on every link of their pages.
    """
    return rule == "color-contrast" and node.get("html", "").startswith("<a ")


@pytest.mark.parametrize("page", [ESSAY, HOME], ids=["essay", "home"])
@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_accessibility_audit(open_tab: Any, variant: str, dark: bool, page: str) -> None:
    """The whole page on this project's own (Material) site; the plugin's elements on the mkdocs theme.

    The other themes' variants only exist to test the plugin there: their own colours
    (such as Bootstrap's Cerulean links on the mkdocs theme) are not ours to fix.
    """
    from axe_playwright_python.sync_playwright import Axe

    tab = open_tab(variant, page, dark=dark)
    if variant == "material":
        results = Axe().run(tab.page)
    else:
        present = [[selector] for selector in OUR_ELEMENTS if tab.page.locator(selector).count()]
        if not present:
            pytest.skip(f"no plugin element on {page or 'the home page'} on the {variant} theme yet")
        results = Axe().run(tab.page, context={"include": present})
    serious = []
    for violation in results.response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        violation["nodes"] = [n for n in violation["nodes"]
                              if (violation["id"], " ".join(n["target"])) not in THEME_OWNED
                              and not (variant != "material" and _is_theme_link_colour(violation["id"], n))]
        if violation["nodes"]:
            serious.append(violation)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(n["target"]) + ": " + n.get("failureSummary", "").replace("\n", " ")
                    for n in v["nodes"][:5])
        for v in serious)
    assert not serious, f"axe found serious or critical violations:\n{report}"


_CONTRAST_JS = """
(selector) => {
  const channels = c => (c.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = channels(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll(selector)).map(el => {
    const fg = channels(getComputedStyle(el).color), bg = background(el);
    const [a, b] = [lum(fg) + 0.05, lum(bg) + 0.05];
    return {text: el.textContent.trim().slice(0, 40), ratio: Math.max(a, b) / Math.min(a, b)};
  });
}
"""


@pytest.mark.parametrize(("variant", "dark"), VARIANTS, ids=VARIANT_IDS)
def test_print_keeps_metadata_and_references_readable(open_tab: Any, variant: str, dark: bool) -> None:
    tab = open_tab(variant, ESSAY_WITH_LONG_BIBLIOGRAPHY, width=1280, dark=dark)
    tab.page.emulate_media(media="print")
    readable = [".essay-meta__title", ".essay-meta__dates", ".essay-meta-badge__label",
                ".essay-meta-badge__value", ".essay-meta__tag", ".essay-meta__category"]
    if has_bibliography(tab):
        readable.append(".essay-meta-bibliography li")
    for selector in readable:
        assert_inside_viewport(tab, selector)
        for item in tab.page.evaluate(_CONTRAST_JS, selector):
            assert item["ratio"] >= 4.5, f"{selector} {item['text']!r} prints at contrast {item['ratio']:.1f}:1"
    assert not any(b["visible"] for b in boxes(tab, ".essay-meta-badge__explanation"))
    assert_inside_viewport(tab, ".essay-meta-meter", at_least=2)


SCREENSHOT_SHOTS = [
    ("material", ESSAY, False, 1280), ("material", ESSAY, True, 1280),
    ("material", HOME, False, 1280), ("material", HOME, True, 1280),
    ("material", ESSAY, False, 375), ("material", ESSAY, True, 375),
    ("material", ESSAY_WITH_LONG_BIBLIOGRAPHY, False, 1280), ("material", ESSAY_WITH_LONG_BIBLIOGRAPHY, True, 1280),
    ("mkdocs", ESSAY, False, 1280), ("mkdocs", ESSAY, False, 375), ("mkdocs-dark", ESSAY, True, 1280),
    ("readthedocs", ESSAY, False, 1280), ("readthedocs", ESSAY, False, 375),
]


def test_screenshots(open_tab: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Screenshots for a person to judge the design (written, not compared)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    for variant, page, dark, width in SCREENSHOT_SHOTS:
        tab = open_tab(variant, page, width=width, dark=dark)
        look = f"material-{'dark' if dark else 'light'}" if variant == "material" else variant
        name = f"{look}-{page.strip('/').split('/')[-1] or 'home'}-{width}.png"
        tab.page.screenshot(path=str(SCREENSHOTS / name),
                            full_page=width < 600 or page in (HOME, ESSAY_WITH_LONG_BIBLIOGRAPHY))
        written.append(name)
        if page == ESSAY:
            tab.page.locator(".essay-meta-badge--certainty").hover()
            hover_name = name.replace(".png", "-hover.png")
            tab.page.screenshot(path=str(SCREENSHOTS / hover_name))
            written.append(hover_name)
    with capsys.disabled():
        print(f"\n{len(written)} screenshots written to {SCREENSHOTS}")
    assert all((SCREENSHOTS / n).stat().st_size > 10_000 for n in written)

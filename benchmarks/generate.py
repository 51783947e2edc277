"""Synthetic essay sites for the benchmarks.

``generate(root, spec)`` writes ``root/docs/`` (N essays with the sample's front matter,
varied values for every field, bibliographies, a share featured, bodies of a few KB with
headings, lists, code, links and quotes) and one ``mkdocs.yml`` per variant the runner
compares:

* ``plugin.yml``: the site with ``essay-meta``;
* ``plain.yml``: the same docs without it (drafts hidden with MkDocs' own ``draft_docs``,
  so both builds render the same pages);
* ``blog.yml`` (layout ``blog``): the same essays as Material blog posts.

The text is generated from a seeded random word bank: the same spec gives the same site.
Listings and the featured index are written as marker lines whose syntax lives in
:data:`FEATURED_MARKER` and :data:`LISTING_MARKERS`, so the suite follows the listings
feature by editing those two constants.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

# -- the markers the listings feature (issue 4) reads --------------------------------------
FEATURED_MARKER = "<!-- essay-meta:featured -->"
"""Where the home page's featured-essays index goes."""
LISTING_MARKERS = (
    "<!-- essay-meta:listing -->",
    "<!-- essay-meta:listing category=Mind -->",
    "<!-- essay-meta:listing tag=cities sort=-importance limit=20 -->",
)
"""One marker per listing page (all essays, one category, one tag)."""

ESSAY_FOLDER = "essays"
DRAFT_FOLDER = "drafts"
BLOG_POSTS = "blog/posts"

_WORDS = (
    "river lantern archive orchard ledger compass harbor meadow signal quarry threshold "
    "margin ember atlas glacier canopy furnace lattice beacon cellar frontier mosaic "
    "tide parchment spindle cistern vantage thicket foundry orbit pendulum sediment "
    "garden ritual season habit craft patience memory attention evidence argument "
    "model measure method practice question answer pattern principle doubt habitat "
    "city street market village bridge tower library school workshop kitchen field "
    "slowly quietly often rarely plainly carefully roughly nearly barely mostly "
    "builds keeps shapes tests reads counts weighs moves turns holds breaks mends "
    "small patient stubborn careful honest strange common narrow broad early late "
    "hidden ordinary durable fragile local distant useful costly cheap bright "
    "because although whereas unless until while since though therefore however"
).split()
_NOUNS = _WORDS[:72]
_ADVERBS = _WORDS[72:82]
_VERBS = _WORDS[82:94]
_ADJECTIVES = _WORDS[94:114]
_LINKERS = _WORDS[114:]

TAGS = tuple(f"{a}-{b}" for a in ("urban", "slow", "open", "deep", "civic", "quiet")
             for b in ("work", "tools", "time", "maps")) + ("cities", "memory", "craft", "evidence")
CATEGORIES = ("Mind", "Cities", "Craft", "Science", "History", "Economics", "Writing", "Tools")
STATUS_WORDS = ("notes", "draft", "in progress", "finished", "abandoned", "obsolete", "In_Progress")
CERTAINTY_WORDS = ("certain", "highly likely", "likely", "possible", "unlikely", "highly unlikely",
                   "remote", "impossible", "log", "emotional", "fiction")


@dataclass(frozen=True)
class SiteSpec:
    """What to generate; every field changes the site, so it keys the on-disk cache."""

    essays: int = 100
    theme: str = "mkdocs"
    layout: str = "essays"
    """``essays`` (our plugin's site) or ``blog`` (the same essays as Material blog posts)."""
    featured_share: float = 0.1
    draft_share: float = 0.02
    bibliography_max: int = 8
    citations: bool = True
    """Cite bibliography keys in the body as ``[@key]`` (the bib feature)."""
    featured_index: bool = True
    """Put the featured-index marker on the home page."""
    listings: int = 1
    """How many listing pages (0–3), each with one of :data:`LISTING_MARKERS`."""
    search: bool = True
    """Keep MkDocs' search plugin on, as a real site would."""
    body_kb: float = 4.0
    seed: int = 1

    def key(self) -> str:
        return "-".join(f"{k}={v}" for k, v in asdict(self).items())


# -- text ----------------------------------------------------------------------------------

class _Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(lo, hi)))

    def title(self) -> str:
        r = self.rng
        return (f"{r.choice(('On', 'Against', 'Notes on', 'Why', 'How', 'The'))} "
                f"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)} and the {r.choice(_NOUNS)}").capitalize()

    def sentence(self) -> str:
        r = self.rng
        s = (f"The {r.choice(_ADJECTIVES)} {r.choice(_NOUNS)} {r.choice(_ADVERBS)} {r.choice(_VERBS)} "
             f"the {r.choice(_NOUNS)}")
        if r.random() < 0.5:
            s += f", {r.choice(_LINKERS)} {self.words(4, 12)}"
        return s[0].upper() + s[1:] + "."

    def paragraph(self, inline: list[str]) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(3, 7))]
        for item in inline:
            i = self.rng.randrange(len(sentences))
            sentences[i] = sentences[i][:-1] + f" {item}."
        return " ".join(sentences)

    def code(self) -> str:
        r = self.rng
        name = r.choice(_NOUNS)
        lines = [f"def {name}_{r.choice(_VERBS)}(items, limit={r.randint(2, 99)}):",
                 f'    """{self.sentence()}"""', "    total = 0"]
        for _ in range(r.randint(2, 6)):
            lines.append(f"    total += sum(x.{r.choice(_NOUNS)} for x in items if x.{r.choice(_NOUNS)})")
        lines.append("    return min(total, limit)")
        return "```python\n" + "\n".join(lines) + "\n```"


def _front_matter(i: int, rng: random.Random, text: _Text, spec: SiteSpec, today: date,
                  draft: bool) -> dict[str, Any]:
    published = today - timedelta(days=rng.randint(30, 3000))
    fm: dict[str, Any] = {"title": text.title()}
    if rng.random() < 0.3:
        fm["meta_title"] = fm["title"] + " | Essays"
    elif rng.random() < 0.2:
        fm["meta_title"] = ""
    fm["description"] = text.sentence()
    if rng.random() < 0.7:
        fm["excerpt"] = " ".join(text.sentence() for _ in range(2))
    # Dates in every form the sample and YAML allow: date, aware datetime, quoted string.
    form = rng.random()
    if form < 0.4:
        fm["publishdate"] = published
    elif form < 0.8:
        fm["publishdate"] = datetime(published.year, published.month, published.day, 5, tzinfo=timezone.utc)
    else:
        fm["publishdate"] = published.isoformat()
    if rng.random() < 0.6:
        fm["lastmod"] = published + timedelta(days=rng.randint(1, 25))
    fm["tags"] = rng.sample(TAGS, rng.randint(0, 5))
    fm["categories"] = rng.sample(CATEGORIES, rng.randint(0, 2))
    status = rng.choice(STATUS_WORDS)
    fm["status"] = {"value": status, "percentage": rng.randint(0, 100)} if rng.random() < 0.5 else status
    key = "confidence" if rng.random() < 0.05 else "certainty"
    certainty = rng.choice(CERTAINTY_WORDS)
    fm[key] = {"value": certainty, "percentage": rng.randint(1, 99)} if rng.random() < 0.4 else certainty
    importance = rng.randint(0, 10)
    fm["importance"] = ({"value": importance, "percentage": importance * 10} if rng.random() < 0.4
                        else importance)
    fm["is_post_complete"] = status in ("finished", "obsolete") or rng.random() < 0.2
    fm["homepage_featured"] = rng.random() < spec.featured_share
    fm["bibliography"] = _bibliography(i, rng, text, spec.bibliography_max)
    fm["draft"] = draft
    return fm


def _bibliography(i: int, rng: random.Random, text: _Text, most: int) -> list[Any]:
    entries: list[Any] = []
    for j in range(rng.randint(0, most)):
        kind = rng.random()
        if kind < 0.45:  # the sample's form
            entries.append({"title": text.title(), "link": f"https://example.org/{i}/{j}"})
        elif kind < 0.85:
            entry: dict[str, Any] = {
                "key": f"src{i}x{j}",
                "title": text.title(),
                "authors": [f"{rng.choice(_NOUNS).title()}, {rng.choice('ABCDEFGH')}." for _ in range(rng.randint(1, 3))],
                "year": rng.randint(1950, 2024),
                "journal": f"Journal of {rng.choice(_NOUNS).title()} Studies",
            }
            if rng.random() < 0.5:
                entry["doi"] = f"10.{rng.randint(1000, 9999)}/{rng.choice(_NOUNS)}.{i}.{j}"
            else:
                entry["url"] = f"https://example.net/papers/{i}-{j}"
            entries.append(entry)
        else:
            entries.append(f"{text.title()}. {rng.choice(_NOUNS).title()} Press, {rng.randint(1900, 2024)}.")
    return entries


def _body(i: int, rng: random.Random, text: _Text, spec: SiteSpec, fm: dict[str, Any],
          link_to: list[str]) -> str:
    keys = [e["key"] for e in fm["bibliography"] if isinstance(e, dict) and "key" in e]
    parts: list[str] = []
    target = int(spec.body_kb * 1024)
    size = 0
    section = 0
    while size < target:
        inline: list[str] = []
        if rng.random() < 0.5 and link_to:
            inline.append(f"see [{rng.choice(_NOUNS)}]({rng.choice(link_to)})")
        if rng.random() < 0.3:
            inline.append(f"as [the {rng.choice(_NOUNS)} notes](https://example.com/{rng.choice(_NOUNS)})")
        if spec.citations and keys and rng.random() < 0.4:
            inline.append(f"[@{rng.choice(keys)}]")
        if rng.random() < 0.3:
            inline.append(f"with `{rng.choice(_NOUNS)}_{rng.choice(_VERBS)}()`")
        block: str
        roll = rng.random()
        if size == 0 or roll < 0.15:
            section += 1
            block = f"## {text.title()}\n\n" + text.paragraph(inline)
        elif roll < 0.25:
            block = f"### {text.title()}\n\n" + text.paragraph(inline)
        elif roll < 0.35:
            block = "\n".join(f"- {text.sentence()}" for _ in range(rng.randint(3, 6)))
        elif roll < 0.42:
            block = "\n".join(f"{n}. **{rng.choice(_NOUNS).title()}**: {text.sentence()}"
                              for n in range(1, rng.randint(3, 5)))
        elif roll < 0.50:
            block = text.code()
        elif roll < 0.55:
            block = "> " + text.paragraph([])
        else:
            block = text.paragraph(inline)
        parts.append(block)
        size += len(block)
        if len(parts) == 1:
            parts.append("<!-- more -->")  # Material blog's excerpt separator; a comment elsewhere
    return "\n\n".join(parts) + "\n"


def _dump(fm: dict[str, Any]) -> str:
    return yaml.safe_dump(fm, sort_keys=False, allow_unicode=True, width=200)


def _essays(spec: SiteSpec) -> list[tuple[str, dict[str, Any], str]]:
    """(path under the essay folder, front matter, body) for every essay."""
    rng = random.Random(spec.seed)
    text = _Text(rng)
    today = date(2026, 1, 1)
    n = spec.essays
    drafts = set(rng.sample(range(n), round(n * spec.draft_share)))
    names = [f"e{i:05d}-{rng.choice(_NOUNS)}.md" for i in range(n)]
    out = []
    for i in range(n):
        draft = i in drafts
        fm = _front_matter(i, rng, text, spec, today, draft)
        # Links only to published neighbours (MkDocs warns about links to left-out pages).
        link_to = [names[j] for j in rng.sample(range(n), min(n, 3)) if j not in drafts and j != i]
        out.append((names[i], fm, _body(i, rng, text, spec, fm, link_to)))
    return out


# -- writing -------------------------------------------------------------------------------

def _home(spec: SiteSpec, with_markers: bool) -> str:
    lines = ["# Essays", "", "Long-form writing, each piece rated for status, certainty and importance.", ""]
    if spec.featured_index and with_markers:
        lines += ["## Featured", "", FEATURED_MARKER, ""]
    return "\n".join(lines)


def _listing_page(k: int, with_markers: bool) -> str:
    title = ("All essays", "Essays on the mind", "Essays about cities")[k]
    body = LISTING_MARKERS[k] if with_markers else "Listings are off in this variant."
    return f"# {title}\n\n{body}\n"


def _config(spec: SiteSpec, *, plugins: list[Any], nav: list[Any], extra: dict[str, Any]) -> dict[str, Any]:
    theme: dict[str, Any] = {"name": spec.theme}
    if spec.theme == "material":
        theme["features"] = ["navigation.sections"]
    config: dict[str, Any] = {
        "site_name": "Synthetic essays",
        "site_url": "https://essays.example.org/",
        "docs_dir": "docs",
        "theme": theme,
        "plugins": (["search"] if spec.search else []) + plugins,
        "nav": nav,
        # Essays are reached from listings, not from the sidebar (a sidebar of 5,000 pages
        # makes every theme quadratic, with or without any plugin).
        "not_in_nav": f"/{ESSAY_FOLDER}/\n/{DRAFT_FOLDER}/\n/{BLOG_POSTS}/\n",
    }
    config.update(extra)
    return config


def generate(root: Path, spec: SiteSpec) -> Path:
    """Write the site for ``spec`` under ``root`` (reused when already there); return root."""
    stamp = root / "spec.json"
    if stamp.exists() and json.loads(stamp.read_text()) == asdict(spec):
        return root
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    essays = _essays(spec)

    if spec.layout == "blog":
        posts = docs / BLOG_POSTS
        posts.mkdir(parents=True)
        (docs / "index.md").write_text(_home(spec, with_markers=False), encoding="utf-8")
        (docs / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
        for name, fm, body in essays:
            post = dict(fm)
            published = post.pop("publishdate")
            post["date"] = {"created": published if isinstance(published, (date, datetime))
                            else date.fromisoformat(published)}
            if "lastmod" in post:
                post["date"]["updated"] = post.pop("lastmod")
            post["pin"] = post.pop("homepage_featured")
            (posts / name).write_text(f"---\n{_dump(post)}---\n\n{body}", encoding="utf-8")
        blog = _config(spec, plugins=[{"blog": {"blog_dir": "blog", "post_excerpt": "required"}}],
                       nav=["index.md", {"Blog": "blog/index.md"}], extra={})
        (root / "blog.yml").write_text(yaml.safe_dump(blog, sort_keys=False), encoding="utf-8")
    else:
        for folder in (ESSAY_FOLDER, DRAFT_FOLDER):
            (docs / folder).mkdir(parents=True)
        for name, fm, body in essays:
            folder = DRAFT_FOLDER if fm["draft"] else ESSAY_FOLDER
            if fm["draft"]:  # drafts sit in their own folder: point their links back at essays/
                body = body.replace("](e", f"](../{ESSAY_FOLDER}/e")
            (docs / folder / name).write_text(f"---\n{_dump(fm)}---\n\n{body}", encoding="utf-8")
        nav: list[Any] = ["index.md"]
        for k in range(min(spec.listings, len(LISTING_MARKERS))):
            nav.append(f"listing-{k + 1}.md")
        for with_markers, suffix in ((True, ""), (False, "-nomarkers")):
            home = docs / f"index{suffix}.md"
            home.write_text(_home(spec, with_markers), encoding="utf-8")
            for k in range(min(spec.listings, len(LISTING_MARKERS))):
                (docs / f"listing-{k + 1}{suffix}.md").write_text(_listing_page(k, with_markers), encoding="utf-8")
        # The marker-free copies live in a second docs dir for the issue-4 comparison.
        bare = root / "docs-nomarkers"
        shutil.copytree(docs, bare, ignore=shutil.ignore_patterns("*-nomarkers.md"),
                        dirs_exist_ok=True)
        for page in list(docs.glob("*-nomarkers.md")):
            page.replace(bare / page.name.replace("-nomarkers", ""))
        # Without the featured index, switch off the one added to the home page by default too.
        ours: Any = "essay-meta" if spec.featured_index else {"essay-meta": {"featured": {"enabled": False}}}
        plugin = _config(spec, plugins=[ours], nav=nav, extra={})
        plain = _config(spec, plugins=[], nav=nav, extra={"draft_docs": f"/{DRAFT_FOLDER}/"})
        # No markers, and no featured index added to the home page by default either.
        bare_cfg = _config(spec, plugins=[{"essay-meta": {"featured": {"enabled": False}}}], nav=nav,
                           extra={"docs_dir": "docs-nomarkers"})
        for name, cfg in (("plugin.yml", plugin), ("plain.yml", plain), ("nomarkers.yml", bare_cfg)):
            (root / name).write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    stamp.write_text(json.dumps(asdict(spec)))
    return root


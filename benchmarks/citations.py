"""What do citations cost? Build the same site with citations on and off and compare.

Self-contained: generates, in a temporary folder, a site of 300 essays (each with front
matter, a two-entry bibliography, ten citations of a shared BibTeX file of 1,000 entries,
code blocks full of ``@`` and ``[@...]``, e-mail addresses) and builds it with the
``essay-meta`` option ``citations: true`` and ``citations: false``, in alternating rounds
(on, off, off, on; then off, on, on, off; ...) after one warm-up build of each. Both variants read the same
``.bib`` file (the front matter cites keys from it), so the difference is the citation
scan, the numbering and the citation links. Prints the absolute medians and the median
of the per-round ratios.

    NO_MKDOCS_2_WARNING=1 python -m benchmarks.citations [--rounds 7] [--essays 300] [--entries 1000] [--theme mkdocs]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

WORDS = ("model scale data attention token layer training compute loss emergent ability benchmark "
         "transformer context memory inference cost sparse dense gradient optimiser evaluation").split()
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia", "Niklaus"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Perlman",
        "Wirth", "M{\\\"u}ller", "van der Berg"]


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def make_bib(rng: random.Random, entries: int) -> str:
    out = []
    for i in range(entries):
        authors = " and ".join(f"{rng.choice(LAST)}, {rng.choice(FIRST)}" for _ in range(rng.randint(1, 4)))
        if i % 3:
            out.append(
                f"@article{{ref{i},\n  author = {{{authors}}},\n  title = {{On {{{rng.choice(WORDS).title()}}} "
                f"and {rng.choice(WORDS)} number {i}}},\n  journal = {{Journal of {rng.choice(WORDS).title()}}},\n"
                f"  year = {{{1990 + i % 35}}},\n  volume = {{{i % 40}}},\n  pages = {{{i}--{i + 12}}},\n"
                f"  doi = {{10.5555/bench.{i}}},\n}}\n")
        else:
            out.append(
                f"@book{{ref{i},\n  author = {{{authors}}},\n  title = {{The Book of {rng.choice(WORDS)} {i}}},\n"
                f"  publisher = {{Press {i % 7}}},\n  year = {i % 35 + 1990},\n  url = {{https://example.org/{i}}},\n}}\n")
    return "\n".join(out)


def make_essay(rng: random.Random, n: int, entries: int) -> str:
    def key() -> str:
        return f"ref{rng.randrange(entries)}"

    parts = [
        "---",
        f'title: "Essay {n}: on {rng.choice(WORDS)}"',
        f"publishdate: 2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "status: in progress",
        "certainty: likely",
        f"importance: {n % 11}",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        "bibliography:",
        f'  - title: "Source {n}"\n    link: https://example.com/{n}',
        f'  - "@{key()}"',
        "---",
        "",
    ]
    for section in range(5):
        parts.append(f"## Section {section}: {rng.choice(WORDS)}\n")
        for _ in range(3):
            parts.append(" ".join(sentence(rng) for _ in range(4)))
            parts.append("")
        parts.append(f"As shown before [@{key()}], and again [@{key()}; @{key()}], the {rng.choice(WORDS)} grows.")
        parts.append(f"Write to author{n}@example.org with `[@{key()}]` in the subject.\n")
        if section % 2 == 0:
            parts.append(f"```python\n@decorator\ndef f():\n    return '[@{key()}]'  # not a citation\n```\n")
        parts.append("- a list item with @mention\n- another item\n")
    return "\n".join(parts)


def generate(root: Path, essays: int, entries: int, theme: str) -> tuple[Path, Path]:
    rng = random.Random(1234)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "refs.bib").write_text(make_bib(rng, entries), encoding="utf-8")
    (docs / "index.md").write_text("# Essays\n\nA benchmark site.\n", encoding="utf-8")
    for n in range(essays):
        (docs / f"essay-{n:03d}.md").write_text(make_essay(rng, n, entries), encoding="utf-8")
    configs = []
    for variant, citations in (("on", "true"), ("off", "false")):
        path = root / f"mkdocs-{variant}.yml"
        path.write_text(
            f"site_name: Bench\ndocs_dir: docs\nsite_dir: site-{variant}\ntheme: {theme}\n"
            f"plugins:\n  - essay-meta:\n      bibliography_files: [refs.bib]\n      citations: {citations}\n",
            encoding="utf-8")
        configs.append(path)
    return configs[0], configs[1]


HOOK_SECONDS = [0.0]
"""CPU seconds spent in the plugin's page hooks during the current build."""


def time_page_hooks() -> None:
    """Count the CPU time of essay-meta's on_page_markdown and on_page_content (where all
    bibliography and citation work happens). Its share of one build is measured inside that
    build, so it does not suffer from the machine's load changing between builds."""
    from mkdocs_essay_meta.plugin import EssayMetaPlugin

    for name in ("on_page_markdown", "on_page_content"):
        hook = getattr(EssayMetaPlugin, name)

        def timed(*args, _hook=hook, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return _hook(*args, **kwargs)
            finally:
                HOOK_SECONDS[0] += time.process_time() - start

        setattr(EssayMetaPlugin, name, timed)


def build_once(config_file: Path) -> tuple[float, float, float]:
    """One build in this process: (wall-clock s, CPU s of this process, CPU s in the page hooks)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    gc.collect()
    HOOK_SECONDS[0] = 0.0
    start, start_cpu = time.perf_counter(), time.process_time()
    config = load_config(str(config_file))
    build(config)
    return time.perf_counter() - start, time.process_time() - start_cpu, HOOK_SECONDS[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="each round builds on, off, off, on (or off, on, on, off)")
    parser.add_argument("--essays", type=int, default=300)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--theme", default="mkdocs")
    args = parser.parse_args(argv)

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="essay-meta-bench-") as tmp:
        on, off = generate(Path(tmp), args.essays, args.entries, args.theme)

        from mkdocs_essay_meta.structure.bibfiles import parse_bibtex
        bib_text = (Path(tmp) / "refs.bib").read_text(encoding="utf-8")
        parse_seconds = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            parse_bibtex(bib_text, [])
            parse_seconds = min(parse_seconds, time.perf_counter() - start)

        time_page_hooks()
        build_once(on)
        build_once(off)  # warm-up: imports, template compilation, file caches
        wall: dict[str, list[float]] = {"on": [], "off": []}
        cpu: dict[str, list[float]] = {"on": [], "off": []}
        wall_ratios, cpu_ratios = [], []
        shares: dict[str, list[float]] = {"on": [], "off": []}
        for r in range(args.rounds):
            # on, off, off, on (then off, on, on, off): drift in the machine's load hits both alike.
            first, second = (("on", on), ("off", off)) if r % 2 == 0 else (("off", off), ("on", on))
            took: dict[str, list[tuple[float, float, float]]] = {"on": [], "off": []}
            for name, cfg in (first, second, second, first):
                took[name].append(build_once(cfg))
            for name, pair in took.items():
                for seconds, cpu_seconds, hook_seconds in pair:
                    wall[name].append(seconds)
                    cpu[name].append(cpu_seconds)
                    shares[name].append(hook_seconds / cpu_seconds)
            on_wall, off_wall = (sum(t[0] for t in took[n]) for n in ("on", "off"))
            on_cpu, off_cpu = (sum(t[1] for t in took[n]) for n in ("on", "off"))
            wall_ratios.append(on_wall / off_wall)
            cpu_ratios.append(on_cpu / off_cpu)
            print(f"round {r + 1}: wall on {on_wall / 2:.3f} s / off {off_wall / 2:.3f} s, "
                  f"cpu on {on_cpu / 2:.3f} s / off {off_cpu / 2:.3f} s, cpu ratio {cpu_ratios[-1]:.3f}",
                  file=sys.stderr)

    def show(name: str, times: dict[str, list[float]], ratios: list[float]) -> None:
        ratio = statistics.median(ratios)
        best = min(times["on"]) / min(times["off"])
        print(f"{name}: on median {statistics.median(times['on']):.3f} s, "
              f"off median {statistics.median(times['off']):.3f} s, "
              f"median ratio on/off {ratio:.3f} ({(ratio - 1) * 100:+.1f} %); "
              f"best on/best off {best:.3f}")

    share_on, share_off = statistics.median(shares["on"]), statistics.median(shares["off"])
    added = share_on - share_off
    print(f"{args.essays} essays, {args.entries} BibTeX entries, theme {args.theme}, {args.rounds} rounds")
    print(f"page hooks' share of a build's CPU time (median): on {share_on * 100:.1f} %, "
          f"off {share_off * 100:.1f} %; citations add about {added / (1 - added) * 100:.1f} % "
          f"to a build (measured within each build, so steady on a busy machine)")
    show("CPU time  ", cpu, cpu_ratios)
    show("wall clock", wall, wall_ratios)
    print(f"(parsing the .bib file with pybtex, paid by both variants once per build: best of 3 {parse_seconds:.3f} s)")
    print("CPU time is this process's own; on a busy machine it is the steadier of the two.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The benchmark runner: ``python -m benchmarks MODE [options]`` (see docs/performance.md).

Modes:

* ``build``    full ``mkdocs build`` with and without essay-meta: time, CPU and peak memory;
* ``serve``    a ``mkdocs serve`` rebuild after editing one essay (plain and ``--dirty``);
* ``profile``  the plugin's own time per MkDocs event, and per essay, at each N;
* ``blog``     the same essays as Material blog posts vs our site (featured index + listing);
* ``listings`` issue 4: a site with a featured index and three listings vs no markers;
* ``all``      every mode above with the defaults of docs/performance.md.

Every build runs in a fresh subprocess (``python -m mkdocs build``, or ``benchmarks.child``
for serve and profile), so no variant profits from caches a previous build warmed in the
same interpreter (imported modules, compiled templates, Markdown instances, allocator
state) and peak memory is that one build's ``ru_maxrss``. The two variants alternate
within a round, their order flipping every round, and the figures are medians: the machine
is shared, so single runs are noisy. The headline ratio is the median of per-round ratios
of CPU time (user + system of the child): on a shared machine wall time also counts the
time the build waited for a core; both are printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .generate import ESSAY_FOLDER, SiteSpec, generate

REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    # This checkout's package, not whatever is installed, is the plugin under test.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def _compile_package() -> None:
    """Write the plugin's bytecode, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE set
    (as on the development machines) every build would otherwise compile the plugin's
    sources again, about 60 ms that an installed plugin never costs."""
    import compileall
    compileall.compile_dir(REPO / "mkdocs_essay_meta", quiet=1)


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mib: float


def _spawn(args: list[str], *, cwd: Path) -> tuple[Sample, str, str]:
    """Run one fresh subprocess; its wall time, CPU time and peak RSS (from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=_env(), stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    peak_kib = usage.ru_maxrss  # KiB on Linux
    return Sample(wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024), stdout, stderr


def _build(site: Path, config: str, *, quiet: bool = True) -> tuple[Sample, str]:
    site_dir = site / "out" / f"{config.removesuffix('.yml')}-{os.getpid()}"  # runs may share a site
    shutil.rmtree(site_dir, ignore_errors=True)  # every build starts from an empty site_dir
    args = ["-m", "mkdocs", "build", "-f", config, "-d", str(site_dir)]
    if quiet:
        args.append("-q")
    sample, _, stderr = _spawn(args, cwd=site)
    return sample, stderr


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _site(spec: SiteSpec) -> Path:
    return generate(OUT / "sites" / _slug(spec), spec)


def _slug(spec: SiteSpec) -> str:
    return (f"{spec.layout}-{spec.theme}-n{spec.essays}-l{spec.listings}"
            f"-f{int(spec.featured_index)}-s{spec.seed}-{hashlib.sha1(spec.key().encode()).hexdigest()[:8]}")


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("WARNING")]


def _report_pair(title: str, names: tuple[str, str], samples: dict[str, list[Sample]],
                 memory: bool = True, how: str = "") -> dict[str, Any]:
    """Print absolute medians and the median of per-round ratios (second / first)."""
    a, b = names
    rounds = list(zip(samples[a], samples[b]))
    ratio = {k: _median([getattr(y, k) / getattr(x, k) for x, y in rounds if getattr(x, k) > 0])
             for k in ("wall", "cpu", "peak_mib")}
    print(f"\n{title}  ({how or f'{len(rounds)} alternating rounds, fresh subprocess per build'})")
    for name in names:
        s = samples[name]
        peak = f"   peak {_median([x.peak_mib for x in s]):7.1f} MiB" if memory else ""
        print(f"  {name:<10} median wall {_median([x.wall for x in s]):8.2f} s   "
              f"cpu {_median([x.cpu for x in s]):8.2f} s{peak}")
    line = f"  ratio {b}/{a}: cpu {ratio['cpu']:.3f} ({(ratio['cpu'] - 1) * 100:+.1f} %)   wall {ratio['wall']:.3f}"
    if memory:
        line += f"   peak memory {ratio['peak_mib']:.3f} ({(ratio['peak_mib'] - 1) * 100:+.1f} %)"
    print(line, flush=True)
    # The spread says how far to trust the median (this machine is shared).
    print(f"  cpu ratio per round: {' '.join(f'{y.cpu / x.cpu:.3f}' for x, y in rounds if x.cpu > 0)}", flush=True)
    if memory:  # (the peak moves by a few MiB from build to build, with or without the plugin)
        print(f"  peak MiB per round: {'  '.join(f'{x.peak_mib:.1f} -> {y.peak_mib:.1f}' for x, y in rounds)}",
              flush=True)
    return {"title": title, "ratio": ratio,
            "medians": {n: {k: _median([getattr(x, k) for x in samples[n]]) for k in ("wall", "cpu", "peak_mib")}
                        for n in names}}


def _alternate(site: Path, configs: tuple[str, str], rounds: int, warmup: bool = True) -> dict[str, list[Sample]]:
    """One discarded warm-up build of each (fills the OS file cache, reports warnings),
    then ``rounds`` rounds alternating the two, the order flipping each round."""
    for config in configs if warmup else ():
        _, stderr = _build(site, config, quiet=False)
        warnings = _warnings(stderr)
        if warnings:
            print(f"  note: {config} builds with {len(warnings)} warning(s), e.g. {warnings[0][:200]}")
    samples: dict[str, list[Sample]] = {c: [] for c in configs}
    for r in range(rounds):
        order = configs if r % 2 == 0 else configs[::-1]
        for config in order:
            samples[config].append(_build(site, config)[0])
    return samples


# -- modes ---------------------------------------------------------------------------------

def mode_build(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for theme in args.themes:
        for n in args.essays:
            spec = replace(args.spec, essays=n, theme=theme)
            site = _site(spec)
            samples = _alternate(site, ("plain.yml", "plugin.yml"), args.rounds, not args.no_warmup)
            samples = {"plain": samples["plain.yml"], "plugin": samples["plugin.yml"]}
            results.append(_report_pair(f"build: theme={theme} essays={n}", ("plain", "plugin"), samples))
    return results


def mode_serve(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for theme in args.themes:
        for n in args.essays:
            spec = replace(args.spec, essays=n, theme=theme)
            site = _site(spec)
            essays = sorted((site / "docs" / ESSAY_FOLDER).glob("*.md"))
            step = max(1, len(essays) // (args.edits + 1))
            edits = [str(p) for p in essays[step::step][: args.edits]]
            for dirty in (False, True):
                samples: dict[str, list[Sample]] = {"plain": [], "plugin": []}
                shares: list[float] = []  # the plugin's hooks' share of each of its rebuilds' CPU time
                page_reads: dict[str, list[float]] = {"plain": [], "plugin": []}  # MkDocs' Page.read_source
                gc_outside: dict[str, list[float]] = {"plain": [], "plugin": []}  # outside the timed calls
                plugin_cpu: list[float] = []
                for r in range(args.rounds):
                    order = ("plain", "plugin") if r % 2 == 0 else ("plugin", "plain")
                    for name in order:
                        cmd = ["-m", "benchmarks.child", "serve", f"{name}.yml"]
                        cmd += [a for e in edits for a in ("--edit", e)]
                        if dirty:
                            cmd.append("--dirty")
                        _, stdout, _ = _spawn(cmd, cwd=site)
                        data = json.loads(stdout.strip().splitlines()[-1])
                        if r == 0 and data["warnings"]:
                            print(f"  note: {name} serve logs {data['warnings']} warning(s): {data['first_warnings'][:1]}")
                        for rebuild in data["rebuilds"]:
                            samples[name].append(Sample(rebuild["wall"], rebuild["cpu"], 0.0))
                            page_reads[name].append(rebuild["page_reads_cpu"])
                            gc_outside[name].append(rebuild["gc_outside_timed_cpu"])
                            if name == "plugin":
                                shares.append(rebuild["plugin_cpu"] / rebuild["cpu"])
                                plugin_cpu.append(rebuild["plugin_cpu"])
                title = f"serve rebuild after one edit ({'--dirty' if dirty else 'plain'}): theme={theme} essays={n}"
                how = (f"{len(samples['plain'])} rebuilds: {args.rounds} alternating rounds of one fresh process "
                       f"per variant, each timing {len(edits)} rebuild(s) after an edit")
                result = _report_pair(title, ("plain", "plugin"), samples, memory=False, how=how)
                # Measured inside each rebuild, so steady on a busy machine (unlike the ratio above).
                result["plugin_share"] = share = _median(shares)
                print(f"  the plugin's hooks: {share * 100:.1f} % of its rebuilds' CPU time (median, measured inside each)")
                reads_with, reads_without = _median(page_reads["plugin"]), _median(page_reads["plain"])
                # As in the profile: a collection inside a hook or a page read is in its time already.
                gc_difference = _median(gc_outside["plugin"]) - _median(gc_outside["plain"])
                net = _median(plugin_cpu) + reads_with - reads_without + gc_difference
                rebuild_cpu = _median([sample.cpu for sample in samples["plugin"]])
                result["net_share"] = net / rebuild_cpu
                print(f"  MkDocs' page reads: {reads_with * 1000:.0f} ms per rebuild with the plugin, "
                      f"{reads_without * 1000:.0f} ms without; the collector outside them and the hooks: "
                      f"{gc_difference * 1000:+.0f} ms; net (hooks + both differences): "
                      f"{net * 1000:+.0f} ms = {net / rebuild_cpu * 100:+.1f} % of a rebuild (medians)")
                results.append(result)
    return results


def mode_profile(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    rows = []
    for theme in args.themes:
        for n in args.essays:
            spec = replace(args.spec, essays=n, theme=theme)
            site = _site(spec)
            runs, plain_runs = [], []
            for r in range(args.rounds):
                cmd = ["-m", "benchmarks.child", "profile", "plugin.yml"]
                if args.cprofile and r == 0:
                    stats = OUT / f"profile-{theme}-{n}.pstats"
                    cmd += ["--cprofile", str(stats)]
                _, stdout, _ = _spawn(cmd, cwd=site)
                runs.append(json.loads(stdout.strip().splitlines()[-1]))
                # The same site without the plugin, for the garbage collector's time only: it
                # runs when allocations add up, so the plugin's make it run more, and not only
                # inside its hooks.
                _, stdout, _ = _spawn(["-m", "benchmarks.child", "profile", "plain.yml", "--gc-only"], cwd=site)
                plain_runs.append(json.loads(stdout.strip().splitlines()[-1]))
            events = sorted({e for run in runs for e in run["events"]})
            per_event = {e: _median([run["events"].get(e, {"seconds": 0.0})["seconds"] for run in runs]) for e in events}
            total = _median([sum(v["seconds"] for v in run["events"].values()) for run in runs])
            build_s = _median([run["build_seconds"] for run in runs])
            import_s = _median([run["import_seconds"] for run in runs])
            print(f"\nprofile: theme={theme} essays={n}  (median of {len(runs)} run(s); CPU times; build {build_s:.2f} s)")
            for e in events:
                print(f"  {e:<18} {per_event[e] * 1000:9.1f} ms   {per_event[e] / n * 1e6:8.1f} µs/essay")
            print(f"  {'plugin total':<18} {total * 1000:9.1f} ms   {total / n * 1e6:8.1f} µs/essay   "
                  f"= {total / build_s * 100:.2f} % of the build")
            print(f"  {'import (once)':<18} {import_s * 1000:9.1f} ms", flush=True)
            gc_with = _median([run["gc"]["seconds"] for run in runs])
            gc_without = _median([run["gc"]["seconds"] for run in plain_runs])
            full_with = _median([run["gc"]["full_collections"] for run in runs])
            full_without = _median([run["gc"]["full_collections"] for run in plain_runs])
            # Collections that ran inside a hook or a page read are in that time already.
            inside_with = _median([run["gc"]["inside_timed_seconds"] for run in runs])
            inside_without = _median([run["gc"]["inside_timed_seconds"] for run in plain_runs])
            print(f"  {'cyclic GC':<18} {gc_with * 1000:9.1f} ms with the plugin ({full_with:g} full collections), "
                  f"{gc_without * 1000:.1f} ms without ({full_without:g}): {(gc_with - gc_without) * 1000:+.1f} ms "
                  f"= {(gc_with - gc_without) / build_s * 100:+.2f} % of the build; of it inside the hooks or page "
                  f"reads: {inside_with * 1000:.1f} ms with, {inside_without * 1000:.1f} ms without", flush=True)
            reads_with = _median([run["page_reads"]["seconds"] for run in runs])
            reads_without = _median([run["page_reads"]["seconds"] for run in plain_runs])
            print(f"  {'page reads':<18} {reads_with * 1000:9.1f} ms with the plugin, {reads_without * 1000:.1f} ms "
                  f"without: {(reads_with - reads_without) * 1000:+.1f} ms (MkDocs' Page.read_source: the file and "
                  f"its front matter's YAML, which the plugin hands over when it has read them)", flush=True)
            gc_outside_difference = (gc_with - inside_with) - (gc_without - inside_without)
            net = total + gc_outside_difference + (reads_with - reads_without)
            print(f"  {'net':<18} {net * 1000:9.1f} ms   {net / n * 1e6:8.1f} µs/essay   = {net / build_s * 100:.2f} % "
                  f"of the build (the plugin's hooks, the difference in page reads and in the GC outside them)",
                  flush=True)
            if args.cprofile:
                _print_cprofile(OUT / f"profile-{theme}-{n}.pstats")
            rows.append((theme, n, total))
            results.append({"theme": theme, "essays": n, "plugin_seconds": total, "build_seconds": build_s,
                            "import_seconds": import_s, "events": per_event,
                            "gc_seconds": {"plugin": gc_with, "plain": gc_without},
                            "gc_inside_timed_seconds": {"plugin": inside_with, "plain": inside_without},
                            "page_read_seconds": {"plugin": reads_with, "plain": reads_without},
                            "net_seconds": net})
    # Linear growth: the per-essay cost, and the marginal cost between consecutive N.
    for theme in args.themes:
        points = sorted((n, t) for th, n, t in rows if th == theme)
        if len(points) > 1:
            slopes = [f"{(t2 - t1) / (n2 - n1) * 1e6:.1f}" for (n1, t1), (n2, t2) in zip(points, points[1:])]
            print(f"\nplugin time per essay, theme={theme}: "
                  + ", ".join(f"N={n}: {t / n * 1e6:.1f} µs" for n, t in points)
                  + f"; marginal µs/essay between consecutive N: {', '.join(slopes)}")
    return results


def _print_cprofile(path: Path) -> None:
    import pstats
    print(f"  cProfile ({path.name}), the plugin's functions by cumulative time:")
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(r"mkdocs_essay_meta", 15)


def mode_blog(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for n in args.essays:
        ours = _site(replace(args.spec, essays=n, theme="material", layout="essays"))
        blog = _site(replace(args.spec, essays=n, theme="material", layout="blog"))
        samples: dict[str, list[Sample]] = {"blog": [], "essay-meta": []}
        for site, config in ((blog, "blog.yml"), (ours, "plugin.yml")) if not args.no_warmup else ():
            _, stderr = _build(site, config, quiet=False)
            if _warnings(stderr):
                print(f"  note: {config} builds with {len(_warnings(stderr))} warning(s): {_warnings(stderr)[0][:200]}")
        for r in range(args.rounds):
            order = (("blog", blog, "blog.yml"), ("essay-meta", ours, "plugin.yml"))
            for name, site, config in (order if r % 2 == 0 else order[::-1]):
                samples[name].append(_build(site, config)[0])
        results.append(_report_pair(f"anchor: Material blog vs essay-meta (featured index + listing), material, essays={n}",
                                    ("blog", "essay-meta"), samples))
    return results


def mode_listings(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for theme in args.themes:
        for n in args.essays:
            spec = replace(args.spec, essays=n, theme=theme, featured_index=True, listings=3)
            site = _site(spec)
            samples = _alternate(site, ("nomarkers.yml", "plugin.yml"), args.rounds, not args.no_warmup)
            samples = {"no-listings": samples["nomarkers.yml"], "listings": samples["plugin.yml"]}
            results.append(_report_pair(f"issue 4: featured index + 3 listings vs none, theme={theme} essays={n}",
                                        ("no-listings", "listings"), samples))
    return results


MODES = {"build": mode_build, "serve": mode_serve, "profile": mode_profile, "blog": mode_blog,
         "listings": mode_listings}

DEFAULTS: dict[str, dict[str, Any]] = {
    "build": {"essays": [1000, 5000], "themes": ["mkdocs", "material"], "rounds": 3},
    "serve": {"essays": [1000], "themes": ["mkdocs"], "rounds": 2},
    "profile": {"essays": [100, 1000, 5000], "themes": ["mkdocs"], "rounds": 1},
    "blog": {"essays": [1000], "themes": ["material"], "rounds": 2},
    "listings": {"essays": [2000], "themes": ["material"], "rounds": 2},
}
"""Per mode, what ``python -m benchmarks all`` runs (docs/performance.md); options override."""


def main(argv: list[str] | None = None) -> int:
    global OUT
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=[*MODES, "all"])
    parser.add_argument("--essays", type=int, nargs="+", help="site sizes (N essays); default per mode")
    parser.add_argument("--themes", nargs="+", choices=["mkdocs", "material", "readthedocs"])
    parser.add_argument("--rounds", type=int, help="alternating rounds (medians are taken over them)")
    parser.add_argument("--edits", type=int, default=3, help="serve: edited essays (rebuilds) per process")
    parser.add_argument("--featured-share", type=float, default=0.1)
    parser.add_argument("--draft-share", type=float, default=0.02)
    parser.add_argument("--listings", type=int, default=1, help="listing pages in the essay sites (0-3)")
    parser.add_argument("--no-featured-index", action="store_true")
    parser.add_argument("--no-citations", action="store_true")
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument("--body-kb", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the discarded first build of each variant (big N: the generator just wrote the files)")
    parser.add_argument("--cprofile", action="store_true", help="profile: also print a cProfile of the plugin")
    parser.add_argument("--fixed-mmap-threshold", action="store_true",
                        help="run every build with glibc's mmap threshold fixed at 128 KiB "
                             "(MALLOC_MMAP_THRESHOLD_=131072): peak memory without the allocator's "
                             "own variation (see docs/performance.md, Peak memory)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where generated sites and profiles go (default benchmarks/out, gitignored)")
    args = parser.parse_args(argv)
    args.spec = SiteSpec(featured_share=args.featured_share, draft_share=args.draft_share,
                         listings=args.listings, featured_index=not args.no_featured_index,
                         citations=not args.no_citations, search=not args.no_search,
                         body_kb=args.body_kb, seed=args.seed)
    OUT = args.out.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    _compile_package()
    if args.fixed_mmap_threshold:
        # glibc raises its threshold each time it frees a large block: after a page of several
        # MB, memory freed from large strings stays in the heap, and the peak varies between
        # identical runs. Fixed, peak memory is what the build holds (inherited by every child).
        os.environ["MALLOC_MMAP_THRESHOLD_"] = "131072"
    modes = list(MODES) if args.mode == "all" else [args.mode]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {time.strftime('%Y-%m-%d %H:%M %Z')}"
          + (", MALLOC_MMAP_THRESHOLD_=131072" if args.fixed_mmap_threshold else ""))
    results: dict[str, Any] = {}
    for mode in modes:
        mode_args = argparse.Namespace(**vars(args))
        for key, value in DEFAULTS[mode].items():
            if getattr(mode_args, key) is None:
                setattr(mode_args, key, value)
        results[mode] = MODES[mode](mode_args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

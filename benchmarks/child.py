"""What runs inside one fresh benchmark subprocess; prints one JSON line on stdout.

``python -m benchmarks.child serve CONFIG --edit PAGE ... [--dirty]``
    Simulates ``mkdocs serve``: one initial build, then for each edited page a rebuild in
    the same process, with the config reloaded and the plugin instance reused (MkDocs keeps
    instances of plugins that define ``on_startup`` across reloads, as serve does).

``python -m benchmarks.child profile CONFIG [--cprofile FILE]``
    One build with every ``on_*`` method of the essay-meta plugin wrapped in a timer;
    reports the plugin's time per MkDocs event, the import time of the plugin module, the
    time Python's cyclic garbage collector took during the build, and the time MkDocs took
    to read the pages' sources and front matter (``Page.read_source``).
    All times are CPU times of this process (the machine is shared: waiting is not cost).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import json
import logging
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402

SERVE_URL = "http://127.0.0.1:8000/"


class _CountWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "'dirty' build is being performed" in record.getMessage():
            return  # MkDocs says so on every dirty build, with or without the plugin
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{record.name}: {record.getMessage()}"[:300])


def _quiet_logging() -> _CountWarnings:
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    handler = _CountWarnings()
    logger.addHandler(handler)
    return handler


def serve(config_file: str, edits: list[str], dirty: bool) -> dict[str, Any]:
    warnings = _quiet_logging()
    site_dir = tempfile.mkdtemp(prefix="essay-bench-serve-")
    hooks = _time_the_plugins_hooks()  # (nothing to time in a site without the plugin)
    page_reads = _time_the_page_reads()

    def get_config() -> Any:
        return load_config(config_file, site_dir=site_dir)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=dirty)
    build(config, serve_url=SERVE_URL, dirty=dirty)
    rebuilds = []
    for page in edits:
        path = Path(page)
        original = path.read_text(encoding="utf-8")
        path.write_text(original + "\nOne more sentence, written while serving.\n", encoding="utf-8")
        try:
            hooks.clear()
            page_reads.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            with _cyclic_gc_timed() as collections:
                config = get_config()
                build(config, serve_url=SERVE_URL, dirty=dirty)
            rebuilds.append({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                             "plugin_cpu": sum(seconds for seconds, _ in hooks.values()),
                             "page_reads_cpu": sum(seconds for seconds, _ in page_reads.values()),
                             "gc_outside_timed_cpu": collections["seconds"] - collections["inside_timed_seconds"]})
        finally:
            path.write_text(original, encoding="utf-8")
    config.plugins.on_shutdown()
    return {"rebuilds": rebuilds, "warnings": warnings.count, "first_warnings": warnings.first}


_timed_depth = [0]
"""How many timed calls are running: a collection that starts inside one is in its time."""


def _timed(name: str, method: Callable[..., Any], totals: dict[str, list[float]]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()  # CPU time: the machine is shared, waiting is not cost
        _timed_depth[0] += 1
        try:
            return method(*args, **kwargs)
        finally:
            _timed_depth[0] -= 1
            entry = totals[name]
            entry[0] += time.process_time() - start
            entry[1] += 1
    return wrapper


def _time_the_plugins_hooks() -> dict[str, list[float]]:
    """Wrap each on_* method the plugin defines in a CPU timer; their totals (seconds, calls)
    by name. On the class: MkDocs binds them to the instance when it loads the config."""
    from mkdocs_essay_meta.plugin import EssayMetaPlugin
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for name, member in list(vars(EssayMetaPlugin).items()):
        if name.startswith("on_") and callable(member):
            setattr(EssayMetaPlugin, name, _timed(name, member, totals))
    return totals


@contextlib.contextmanager
def _cyclic_gc_timed() -> Iterator[dict[str, float]]:
    """CPU time and number of Python's cyclic garbage collections while the block runs, and
    the time of those that ran inside a timed call (a hook or a page read: in its time too)."""
    totals = {"seconds": 0.0, "inside_timed_seconds": 0.0, "collections": 0, "full_collections": 0}
    started = [0.0]

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.process_time()
            return
        seconds = time.process_time() - started[0]
        totals["seconds"] += seconds
        if _timed_depth[0]:
            totals["inside_timed_seconds"] += seconds
        totals["collections"] += 1
        totals["full_collections"] += info["generation"] == 2

    gc.callbacks.append(note)
    try:
        yield totals
    finally:
        gc.callbacks.remove(note)


def _time_the_page_reads() -> dict[str, list[float]]:
    """Wrap MkDocs' ``Page.read_source`` in a CPU timer, and the plugin's stand-in for it
    when the plugin is imported (it hands MkDocs the source and front matter it read)."""
    from mkdocs.structure.pages import Page
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    Page.read_source = _timed("read_source", Page.read_source, totals)  # type: ignore[method-assign]
    plugin_module = sys.modules.get("mkdocs_essay_meta.plugin")
    if plugin_module is not None:
        plugin = plugin_module.EssayMetaPlugin
        setattr(plugin, "_read_page_source", _timed("read_source", getattr(plugin, "_read_page_source"), totals))
    return totals


def profile(config_file: str, cprofile_out: str | None, gc_only: bool = False) -> dict[str, Any]:
    """With ``gc_only`` (a site without the plugin), the plugin is not even imported: its
    modules' objects would be in the heap every full collection walks."""
    warnings = _quiet_logging()
    import_seconds = 0.0
    totals: dict[str, list[float]] = {}
    if not gc_only:
        start = time.process_time()
        importlib.import_module("mkdocs_essay_meta.plugin")  # the plugin's own import cost
        import_seconds = time.process_time() - start
        totals = _time_the_plugins_hooks()
    page_reads = _time_the_page_reads()

    site_dir = tempfile.mkdtemp(prefix="essay-bench-profile-")
    profiler = None
    if cprofile_out:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    cpu = time.process_time()
    with _cyclic_gc_timed() as collections:
        config = load_config(config_file, site_dir=site_dir)
        config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
        build(config)
    cpu = time.process_time() - cpu
    if profiler is not None and cprofile_out:
        profiler.disable()
        profiler.dump_stats(cprofile_out)
    return {
        "build_seconds": cpu,
        "import_seconds": import_seconds,
        "gc": collections,
        "page_reads": {"seconds": page_reads["read_source"][0], "calls": page_reads["read_source"][1]},
        "events": {k: {"seconds": v[0], "calls": v[1]} for k, v in sorted(totals.items())},
        "warnings": warnings.count,
        "first_warnings": warnings.first,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child")
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("serve")
    s.add_argument("config")
    s.add_argument("--edit", action="append", default=[])
    s.add_argument("--dirty", action="store_true")
    p = sub.add_parser("profile")
    p.add_argument("config")
    p.add_argument("--cprofile")
    p.add_argument("--gc-only", action="store_true", help="a site without the plugin: time the garbage collector only")
    args = parser.parse_args(argv)
    if args.mode == "serve":
        result = serve(args.config, args.edit, args.dirty)
    else:
        result = profile(args.config, args.cprofile, args.gc_only)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

"""The benchmark suite runs end to end on a tiny site, so it cannot rot.

Only that it runs and prints its ratios is asserted: never anything about timing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_every_benchmark_mode_runs_and_prints_its_ratios(tmp_path: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "all", "--essays", "5", "--rounds", "1", "--edits", "1",
         "--out", str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    ratio = r"ratio {}: cpu \d+\.\d+ \([+-]\d+\.\d %\)\s+wall \d+\.\d+"
    for theme in ("mkdocs", "material"):
        assert re.search(rf"build: theme={theme} essays=5 .*\n(.*\n){{2}}\s+{ratio.format('plugin/plain')}"
                         r"\s+peak memory \d+\.\d+", out), out
    for kind in ("plain", "--dirty"):  # serve runs on the mkdocs theme by default
        assert re.search(rf"serve rebuild after one edit \({re.escape(kind)}\): theme=mkdocs essays=5 .*\n"
                         rf"(.*\n){{2}}\s+{ratio.format('plugin/plain')}\n"
                         r"\s+cpu ratio per round: \d+\.\d+( \d+\.\d+)*\n"
                         r"\s+the plugin's hooks: \d+\.\d % of its rebuilds' CPU time.*\n"
                         r"\s+MkDocs' page reads: \d+ ms per rebuild with the plugin, \d+ ms without; the collector "
                         r"outside them and the hooks: [+-]\d+ ms; net .*: [+-]\d+ ms = [+-]\d+\.\d % of a rebuild",
                         out), out
    assert re.search(r"plugin total\s+\d+\.\d ms\s+\d+\.\d µs/essay", out), out
    assert re.search(r"cyclic GC\s+\d+\.\d ms with the plugin \(\d+ full collections\), \d+\.\d ms without "
                     r"\(\d+\): [+-]\d+\.\d ms = [+-]\d+\.\d\d % of the build; of it inside the hooks or page "
                     r"reads: \d+\.\d ms with, \d+\.\d ms without", out), out
    assert re.search(r"page reads\s+\d+\.\d ms with the plugin, \d+\.\d ms without: [+-]\d+\.\d ms", out), out
    assert re.search(r"net\s+-?\d+\.\d ms\s+-?\d+\.\d µs/essay\s+= -?\d+\.\d\d % of the build", out), out
    for event in ("on_files", "on_page_markdown", "on_page_context", "on_pre_page"):
        assert re.search(rf"{event}\s+\d+\.\d ms", out), out
    assert re.search(r"Material blog vs essay-meta.*\n(.*\n){2}\s+" + ratio.format("essay-meta/blog"), out), out
    assert re.search(r"issue 4: .*\n(.*\n){2}\s+" + ratio.format("listings/no-listings"), out), out
    # Every generated site builds without a warning from either variant.
    assert "note:" not in out, out


def test_a_fixed_mmap_threshold_reaches_every_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--fixed-mmap-threshold: every build runs with glibc's threshold fixed (peak memory
    without the allocator's own variation), and says so."""
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.chdir(REPO)
    from benchmarks import run

    thresholds: list[str | None] = []
    spawn = run._spawn

    def spawn_noting_threshold(args: list[str], *, cwd: Path) -> Any:
        thresholds.append(run._env().get("MALLOC_MMAP_THRESHOLD_"))
        return spawn(args, cwd=cwd)

    monkeypatch.setattr(run, "_spawn", spawn_noting_threshold)
    argv = ["build", "--essays", "5", "--rounds", "1", "--no-warmup", "--themes", "mkdocs", "--out", str(tmp_path)]
    assert run.main([*argv, "--fixed-mmap-threshold"]) == 0
    assert len(thresholds) == 2 and set(thresholds) == {"131072"}
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    thresholds.clear()
    assert run.main(argv) == 0
    assert thresholds == [None, None]

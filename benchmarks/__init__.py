"""Benchmarks for mkdocs-essay-meta: synthetic essay sites and a runner (docs/performance.md)."""

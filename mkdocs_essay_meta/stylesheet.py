"""The plugin's stylesheet: the static rules in ``assets/`` plus rules made from the vocabularies.

Generated once per configuration, so that a user's own status terms get Material
navigation icons too.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .structure.vocabulary import Scale

_BASE = Path(__file__).parent / "assets" / "essay-meta.css"


@lru_cache(maxsize=1)
def _base_css() -> str:
    return _BASE.read_text(encoding="utf-8")


def progress_icon(percentage: int | None) -> str:
    """A 24×24 SVG: a ring filled like a pie to ``percentage``; a struck ring for none."""
    ring = "<circle cx='12' cy='12' r='9' fill='none' stroke='black' stroke-width='2'/>"
    if percentage is None:
        inner = "<path d='M6 18 18 6' stroke='black' stroke-width='2'/>"
    elif percentage >= 100:
        inner = "<circle cx='12' cy='12' r='6'/>"
    elif percentage <= 0:
        inner = ""
    else:
        angle = 2 * math.pi * percentage / 100
        x = 12 + 6 * math.sin(angle)
        y = 12 - 6 * math.cos(angle)
        large = 1 if percentage > 50 else 0
        inner = f"<path d='M12 12V6A6 6 0 {large} 1 {x:.2f} {y:.2f}Z'/>"
    return f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'>{ring}{inner}</svg>"


def build(scales: Mapping[str, Scale] | None, *, material_status: bool = False) -> str:
    parts = [_base_css()]
    if material_status and scales:
        parts.append("/* Material navigation icons for essay statuses */")
        for term in scales["status"].terms:
            url = f'url("data:image/svg+xml;charset=utf-8,{progress_icon(term.percentage)}")'
            parts.append(
                f".md-status--essay-{term.key}:after{{-webkit-mask-image:{url};mask-image:{url}}}"
            )
    return "\n".join(parts) + "\n" if len(parts) > 1 else parts[0]


def as_file(css: str) -> Path:
    """A file holding ``css``: the packaged stylesheet when nothing was added to it, otherwise a
    copy named by its content in the temporary folder (written once, atomically)."""
    if css == _base_css():
        return _BASE
    digest = hashlib.sha256(css.encode("utf-8")).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "mkdocs-essay-meta"
    path = folder / f"essay-meta-{digest}.css"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(css)
        os.replace(partial, path)
    return path

"""Turning a cleaned entry into a post file: metadata that feed text cannot
forge, and a path that cannot leave content/posts/<expert>/."""

from __future__ import annotations

import os
import re

from pelican.utils import slugify

from .parse import one_line

SLUG_MAX = 80


def post_slug(title: str, settings: dict) -> str:
    subs = settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
    slug = slugify(title, regex_subs=subs) if title else ""
    # slugify already yields [a-z0-9-]; this line is the guarantee, not the hope.
    slug = re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "post"


def render_post(fields: list[tuple[str, str]], body: str) -> bytes:
    """Metadata lines, a blank line, then the body.

    Every value goes through one_line: no newline, carriage return, Unicode line
    separator or control character survives, so feed text can never start a
    metadata line of its own (a title 'x\\nStatus: published' stays a title).
    """
    lines = []
    for key, value in fields:
        value = one_line(str(value))
        if value:
            lines.append(f"{key}: {value}")
    return ("\n".join(lines) + "\n\n" + body.strip() + "\n").encode("utf-8")


def free_path(content_path: str, folder: str, slug: str, taken: dict) -> str:
    """`<folder>/<slug>.md` (folder: `posts/<expert>` or `endorsements`), suffixed -2,
    -3... past files that exist or that the ledger remembers (a deleted file's path
    is never reused)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)?", folder):
        raise ValueError(f"unsafe folder {folder!r}")
    for n in range(1, 10_000):
        name = slug if n == 1 else f"{slug}-{n}"
        rel = f"{folder}/{name}.md"
        if rel not in taken and not os.path.exists(os.path.join(content_path, rel)):
            return rel
    raise RuntimeError(f"no free file name for {slug!r} under {folder}/")

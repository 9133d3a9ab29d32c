"""Search: Pagefind indexes the built site, in shards, and only the shards that changed.

Pagefind keeps every page it indexes in memory (about 125 KB a post; a
20,000-post showcase took 3.3 GB in one run, see Pagefind/pagefind#842) and
cannot update an index in place. So the site is indexed as several Pagefind
*bundles* that the search page merges in the browser (Pagefind's `mergeIndex`):

- `pagefind/`: the site's own pages (topics, experts, the endorsement wall);
- `pagefind-posts-N/`: the posts of the experts whose slug hashes to N, with
  N < ceil(posts / EMINENCE_SEARCH_SHARD_PAGES) (default 2,000).

Each bundle is one Pagefind run, one after the other, so memory is bounded by
the largest shard. A rebuild runs Pagefind only for the bundles in which a page
was written, changed or removed (the OutputWriter records them), or whose
membership changed. An expert's posts always stay in one shard.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zlib

SITE_BUNDLE = "pagefind"
POSTS_BUNDLE = "pagefind-posts-{}"
SHARD_PAGES = 2000
# Top-level output folders Pagefind never needs to open.
NOT_INDEXED = {"theme", "feeds", "images", "posts"}


def plan(settings: dict, posts) -> dict[str, list[str]]:
    """{post bundle: expert slugs} for the posts this build shows."""
    per_shard = max(1, int(settings.get("EMINENCE_SEARCH_SHARD_PAGES") or SHARD_PAGES))
    count = max(1, math.ceil(len(posts) / per_shard))
    shards: dict[str, set[str]] = {}
    for p in posts:
        slug = p.expert.slug
        shards.setdefault(POSTS_BUNDLE.format(zlib.crc32(slug.encode()) % count), set()).add(slug)
    return {name: sorted(slugs) for name, slugs in sorted(shards.items())}


def _glob(entries: list[str]) -> str:
    return "{" + ",".join(entries) + "}"


def _site_glob(output: str, article_root: str) -> str:
    entries = []
    for name in sorted(os.listdir(output)):
        path = os.path.join(output, name)
        if name.endswith(".html") and os.path.isfile(path):
            entries.append(name)
        elif os.path.isdir(path) and name != article_root and name not in NOT_INDEXED \
                and not name.startswith(SITE_BUNDLE):
            entries.append(f"{name}/**/*.html")
    return _glob(entries)


def _article_root(settings: dict) -> str:
    return settings["ARTICLE_SAVE_AS"].split("/", 1)[0]


def _bundle_of(rel: str, article_root: str, expert_bundle: dict[str, str]) -> str | None:
    parts = rel.split(os.sep)
    if not rel.endswith(".html"):
        return None
    if parts[0] == article_root:
        return expert_bundle.get(parts[1]) if len(parts) > 2 else None
    return SITE_BUNDLE


def build_index(pelican) -> None:
    """Run Pagefind for each bundle whose pages changed; remove bundles no longer planned."""
    settings = pelican.settings
    if not settings.get("EMINENCE_SEARCH", True):
        return
    output = os.path.abspath(pelican.output_path)
    bundles: dict[str, list[str]] = settings.get("_EMINENCE_SEARCH_PLAN", {})
    root = _article_root(settings)
    expert_bundle = {slug: name for name, slugs in bundles.items() for slug in slugs}
    writer = settings.get("_EMINENCE_OUTPUT")
    record_path = os.path.join(settings.get("CACHE_PATH", "cache"),
                               f"eminence-search-{zlib.crc32(output.encode()):08x}.json")
    try:
        with open(record_path, encoding="utf-8") as fh:
            last = json.load(fh)
    except (OSError, ValueError):
        last = {}
    dirty = set()
    if writer is None or not writer.enabled:
        dirty = {SITE_BUNDLE, *bundles}
    else:
        for path in writer.changed:
            name = _bundle_of(os.path.relpath(path, output), root, expert_bundle)
            if name:
                dirty.add(name)
    wanted = {SITE_BUNDLE: ["site"], **bundles}
    for name, members in wanted.items():
        if last.get(name) != members or not os.path.isfile(os.path.join(output, name, "pagefind.js")):
            dirty.add(name)
    for name in sorted(dirty):
        if name == SITE_BUNDLE:
            glob = _site_glob(output, root)
        else:
            glob = f"{root}/" + _glob(bundles[name]) + "/**/*.html"
        _pagefind(output, name, glob)
    for name in os.listdir(output):  # shards of an earlier plan
        if name.startswith(SITE_BUNDLE + "-") and name not in wanted:
            shutil.rmtree(os.path.join(output, name))
    os.makedirs(os.path.dirname(record_path) or ".", exist_ok=True)
    with open(record_path, "w", encoding="utf-8") as fh:
        json.dump(wanted, fh)


def _pagefind(output: str, bundle: str, glob: str) -> None:
    """Index into a fresh folder, then swap it in: no stale fragments, and the
    served bundle is never half written."""
    fresh = f".{bundle}.new"
    shutil.rmtree(os.path.join(output, fresh), ignore_errors=True)
    run = subprocess.run([sys.executable, "-m", "pagefind", "--site", output, "--output-subdir", fresh,
                          "--glob", glob, "--quiet"], capture_output=True, text=True)
    if run.returncode != 0:
        shutil.rmtree(os.path.join(output, fresh), ignore_errors=True)
        raise RuntimeError(f"Pagefind could not index the site ({bundle}, {glob}):\n"
                           f"{run.stdout}{run.stderr}")
    shutil.rmtree(os.path.join(output, bundle), ignore_errors=True)
    os.replace(os.path.join(output, fresh), os.path.join(output, bundle))

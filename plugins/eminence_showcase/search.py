"""Search: Pagefind indexes the built site, in shards, and only the shards that changed.

Pagefind keeps every page it indexes in memory (about 125 KB a post; a
20,000-post showcase took 3.3 GB in one run, see Pagefind/pagefind#842) and
cannot update an index in place. So the site is indexed as several Pagefind
*bundles* that the search page merges in the browser (Pagefind's `mergeIndex`):

- `pagefind/`: the site's own pages (topics, experts, the endorsement wall), given
  to Pagefind without the list pages it would read only to leave out (`_site_pages`);
- `pagefind-posts-N/`: the posts of the experts whose slug hashes to N, with
  N < ceil(posts / EMINENCE_SEARCH_SHARD_PAGES) (default 2,000).

Each bundle is one Pagefind run, the largest first. Runs overlap (one per core) only while this
process's memory plus that many shards fits EMINENCE_SEARCH_MEMORY_MB (900), so
memory is bounded by the largest shards, not by the site. A rebuild runs
Pagefind only for the bundles in which a page was written, changed or removed
(the OutputWriter records them), or whose membership changed. An expert's
posts always stay in one shard.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor

from eminence_model.settings import setting

from .integrity import damaged_files
from .parallel import worker_count
from .state import build_state

SITE_BUNDLE = "pagefind"
POSTS_BUNDLE = "pagefind-posts-{}"
BUNDLE_FOLDER = r"pagefind(-posts-\d+)?/"  # a regex for any bundle's folder (check-site skips them)
# Pagefind's peak memory per indexed post of ~600 words, measured with
# `invoke bench` (630 MB for 5,000 posts in one run).
PAGEFIND_MB_PER_POST = 0.13
# Top-level output folders Pagefind never needs to open.
NOT_INDEXED = {"theme", "feeds", "images", "posts"}
BODY_MARKER = b"data-pagefind-body"


def plan(settings: dict, posts) -> dict[str, dict]:
    """{post bundle: {"experts": slugs, "posts": count}} for the posts this build writes."""
    per_shard = max(1, setting(settings, "EMINENCE_SEARCH_SHARD_PAGES"))
    count = max(1, math.ceil(len(posts) / per_shard))
    shards: dict[str, dict] = {}
    for p in posts:
        slug = p.expert.slug
        shard = shards.setdefault(POSTS_BUNDLE.format(zlib.crc32(slug.encode()) % count),
                                  {"experts": set(), "posts": 0})
        shard["experts"].add(slug)
        shard["posts"] += 1
    return {name: {"experts": sorted(v["experts"]), "posts": v["posts"]}
            for name, v in sorted(shards.items())}


def concurrency(settings: dict, largest_shard: int) -> int:
    """How many Pagefind runs at once: as many as the cores, while this process's
    memory plus that many of the largest shard stays within EMINENCE_SEARCH_MEMORY_MB."""
    budget = setting(settings, "EMINENCE_SEARCH_MEMORY_MB")
    mine = _rss_mb()
    shard = max(1.0, largest_shard * PAGEFIND_MB_PER_POST)
    fits = int((budget - mine) // shard)
    return max(1, min(worker_count(settings), fits))


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _glob(entries: list[str]) -> str:
    return "{" + ",".join(entries) + "}"


def _site_pages(output: str, article_root: str) -> list[str]:
    """The site's pages Pagefind would index, relative to `output`.

    Once any page of a run marks its body (data-pagefind-body), Pagefind leaves out every
    page that does not, but it still reads and parses them: on a 5,000-post showcase 2,700
    list pages (paginated streams, kind filters) for 241 indexed ones, three quarters of
    the site bundle's time. The pages whose bytes hold the marker are a superset of the
    ones it would index, so giving it only those indexes the same pages.
    """
    pages, marked = [], []
    for name in sorted(os.listdir(output)):
        path = os.path.join(output, name)
        if name.endswith(".html") and os.path.isfile(path):
            pages.append(name)
        elif os.path.isdir(path) and name != article_root and name not in NOT_INDEXED \
                and not name.startswith((SITE_BUNDLE, ".")):
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                pages += sorted(os.path.relpath(os.path.join(folder, f), output)
                                for f in files if f.endswith(".html"))
    for rel in pages:
        with open(os.path.join(output, rel), "rb") as fh:
            if BODY_MARKER in fh.read():
                marked.append(rel)
    return marked or pages  # no marker anywhere: Pagefind indexes every page's <body>


def _stage(output: str, pages: list[str], staging: str) -> None:
    """`pages` linked (not copied) into `staging` at the same relative paths, so Pagefind
    run on `staging` gives them the URLs they have in `output`."""
    for rel in pages:
        target = os.path.join(staging, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(os.path.join(output, rel), target)
        except OSError:  # a file system without hard links
            shutil.copyfile(os.path.join(output, rel), target)


def _article_root(settings: dict) -> str:
    return settings["ARTICLE_SAVE_AS"].split("/", 1)[0]


def _bundle_of(rel: str, article_root: str, expert_bundle: dict[str, str]) -> str | None:
    parts = rel.split(os.sep)
    if not rel.endswith(".html"):
        return None
    if parts[0] == article_root:
        return expert_bundle.get(parts[1]) if len(parts) > 2 else None
    return SITE_BUNDLE


def build_index(pelican, free_memory=None) -> None:
    """Run Pagefind for each bundle whose pages changed; remove bundles no longer planned.
    `free_memory()` is called first when several shards of posts are indexed (a cold
    build): their runs, side by side, need what the build held."""
    settings = pelican.settings
    if not setting(settings, "EMINENCE_SEARCH"):
        return
    output = os.path.abspath(pelican.output_path)
    state = build_state(settings)
    planned = state.search_plan
    bundles = {name: v["experts"] for name, v in planned.items()}
    root = _article_root(settings)
    expert_bundle = {slug: name for name, slugs in bundles.items() for slug in slugs}
    writer = state.writer
    # Named by the output's place in the project, so a clone elsewhere with the cache
    # restored re-indexes only what changed (as output.py's record).
    where = os.path.relpath(os.path.realpath(output), os.path.dirname(os.path.realpath(settings["PATH"])))
    record_path = os.path.join(settings.get("CACHE_PATH", "cache"),
                               f"eminence-search-{zlib.crc32(where.encode()):08x}.json")
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
    # Out first: what a killed build left (it must never be published) and the shards of
    # an earlier plan. Every run below then writes into folders that do not exist yet.
    for name in os.listdir(output):
        leftover = name.startswith(f".{SITE_BUNDLE}") and name.endswith((".new", ".pages"))
        if leftover or (name.startswith(SITE_BUNDLE + "-") and name not in wanted):
            shutil.rmtree(os.path.join(output, name), ignore_errors=leftover)
    runs = []  # (bundle, folder Pagefind reads, glob, posts): the largest run starts first
    staging = os.path.join(output, f".{SITE_BUNDLE}.pages")
    for name in sorted(dirty):
        if name == SITE_BUNDLE:
            _stage(output, _site_pages(output, root), staging)
            runs.append((name, staging, "**/*.html", 0))
        else:
            runs.append((name, output, f"{root}/" + _glob(bundles[name]) + "/**/*.html",
                         planned[name]["posts"]))
    runs.sort(key=lambda run: -run[3])
    if free_memory is not None and sum(1 for run in runs if run[3]) > 1:
        free_memory()
    largest = max((run[3] for run in runs), default=0)
    try:
        _pagefind_all(output, runs, concurrency(settings, largest))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(os.path.dirname(record_path) or ".", exist_ok=True)
    with open(record_path, "w", encoding="utf-8") as fh:
        json.dump(wanted, fh)


def _pagefind_all(output: str, runs: list[tuple[str, str, str, int]], at_once: int) -> None:
    """Index each (bundle, folder, glob, _) into a fresh folder, at most `at_once` at a
    time (a run starts as soon as any finishes), then swap it in: no stale fragments, and
    a served bundle is never half written."""

    def index(name: str, site: str, glob: str) -> str | None:
        fresh = os.path.join(output, f".{name}.new")  # build_index removed any left over
        proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", site, "--output-path", fresh,
                               "--glob", glob, "--quiet"], capture_output=True, text=True)
        if proc.returncode != 0:
            shutil.rmtree(fresh, ignore_errors=True)
            return f"Pagefind could not index the site ({name}, {glob}):\n{proc.stdout}{proc.stderr}"
        damaged = damaged_files(fresh)
        if damaged:  # Pagefind says nothing when the disk is full: its files do
            shutil.rmtree(fresh, ignore_errors=True)
            rel, why = damaged[0]
            raise OSError(errno.ENOSPC, f"the search index ({name}) was written incomplete, "
                          f"{len(damaged)} file(s), e.g. {rel}: {why}", os.path.join(output, name, rel))
        shutil.rmtree(os.path.join(output, name), ignore_errors=True)
        os.replace(fresh, os.path.join(output, name))
        return None

    # Threads only wait for Pagefind's processes; they are joined before the build forks again.
    with ThreadPoolExecutor(max_workers=max(1, at_once)) as pool:
        failures = [f for f in pool.map(lambda run: index(*run[:3]), runs) if f]
    if failures:
        raise RuntimeError("\n".join(failures))

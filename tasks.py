"""Eminence tasks. `invoke --list` shows them; README.md explains them."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time

from invoke import task

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "plugins"))

from eminence_showcase import ContentError, runner  # noqa: E402 - needs plugins/ on the path

OUTPUT = os.path.join(ROOT, "output")


def _settings(settings_file: str, **overrides) -> dict:
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING)
    return runner.load_settings(os.path.join(ROOT, settings_file), **overrides)


def _fail(error: ContentError) -> None:
    print(error, file=sys.stderr)
    sys.exit(1)


@task(help={"drafts": "preview mode: also show drafts and pending endorsements, marked DRAFT",
            "settings": "settings file (default pelicanconf.py)"})
def build(c, drafts=False, settings="pelicanconf.py"):
    """Validate the content and build the showcase into output/."""
    overrides = {"EMINENCE_PREVIEW": True} if drafts else {}
    try:
        pelican = runner.build(_settings(settings, **overrides))
    except ContentError as error:
        _fail(error)
    out = os.path.relpath(pelican.output_path, ROOT)
    mode = "preview (drafts shown)" if drafts else "public"
    print(f"Built the {mode} showcase into {out}/. View it with: invoke serve "
          f"(then open http://127.0.0.1:8000/)")


@task(help={"settings": "settings file (default pelicanconf.py)"})
def check(c, settings="pelicanconf.py"):
    """Validate all content without building; exit 1 with every problem found."""
    try:
        context = runner.check(_settings(settings))
    except ContentError as error:
        _fail(error)
    print(f"Content is valid: {len(context['topics'])} topics, {len(context['experts'])} "
          f"experts, {len(context['showcase_posts'])} published posts, "
          f"{len(context['endorsements'])} published endorsements.")


@task(help={"port": "port to listen on (default 8000)", "bind": "address (default 127.0.0.1)"})
def serve(c, port=8000, bind="127.0.0.1"):
    """Serve output/ on http://127.0.0.1:8000/ (build first)."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    if not os.path.isfile(os.path.join(OUTPUT, "index.html")):
        sys.exit("output/ has no site yet: run `invoke build` first.")
    handler = partial(SimpleHTTPRequestHandler, directory=OUTPUT)
    with ThreadingHTTPServer((bind, int(port)), handler) as httpd:
        print(f"Serving output/ at http://{bind}:{port}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


@task(help={"expert": "pull only this expert's feeds (their slug)",
            "dry_run": "show what would change; write nothing",
            "offline": "use the fetch cache instead of the network",
            "strict": "exit 1 if any feed failed (for CI gates)",
            "force": "ignore conditional GET, 410 and Retry-After memory; parse everything",
            "settings": "settings file (default pelicanconf.py)"})
def pull(c, expert=None, dry_run=False, offline=False, strict=False, force=False,
         settings="pelicanconf.py"):
    """Pull experts' feeds into content/posts/ (drafts unless the expert is Trusted)."""
    from eminence_feeds.pull import progress_printer, run_pull
    from eminence_feeds.state import PullLocked

    started = time.monotonic()
    try:
        summary = run_pull(_settings(settings), expert=expert, dry_run=dry_run, offline=offline,
                           force=force, progress=progress_printer())
    except ContentError as error:
        _fail(error)
    except (PullLocked, ValueError) as error:
        sys.exit(f"pull: {error}")
    heading = "Dry run (nothing written)" if dry_run else "Pull"
    print(f"{heading} finished in {time.monotonic() - started:.1f} s.")
    for line in summary.lines():
        print(line)
    if dry_run and summary.written:
        print("Would write:")
        for path in summary.written:
            print(f"  content/{path}")
    if strict and summary.problems:
        sys.exit(f"pull --strict: {len(summary.problems)} feed problem(s).")


@task(help={"feeds": "number of synthetic feeds (default 1000)",
            "entries": "entries per feed (default 20)"})
def bench_pull(c, feeds=1000, entries=20):
    """Benchmark invoke pull (cold, warm) against a naive baseline, on 127.0.0.1."""
    c.run(f"{sys.executable} {os.path.join(ROOT, 'benchmarks', 'pull_bench.py')} "
          f"--feeds {int(feeds)} --entries {int(entries)}", pty=False)


@task
def clean(c):
    """Remove output/ and Pelican's cache."""
    for folder in (OUTPUT, os.path.join(ROOT, "cache")):
        shutil.rmtree(folder, ignore_errors=True)


@task
def lint(c):
    """Run ruff over the code."""
    c.run("ruff check pelicanconf.py publishconf.py tasks.py plugins tests", pty=False)


def _ensure_chromium(c) -> None:
    """The browser tests drive Debian's chromium; install it when we may."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's chromium for the browser tests (apt-get)...")
        c.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
              "apt-get install -y -qq chromium", pty=False)
        return
    sys.exit("The browser tests need Chromium: install Debian's `chromium` package "
             "(sudo apt-get install chromium), then run `invoke test` again.")


@task(help={"args": "extra arguments passed to pytest"})
def test(c, args=""):
    """Run the whole test suite (installs Debian's chromium first if missing, as root)."""
    _ensure_chromium(c)
    c.run(f"{sys.executable} -m pytest {args}", pty=False)

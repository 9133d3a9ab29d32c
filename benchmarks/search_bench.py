"""Reader-side search at scale: the sharded index against one Pagefind index (on demand).

    python3 benchmarks/search_bench.py [--posts 5000,20000] [--shard 2000] [--queries 5]

For each size, generates the build benchmark's showcase (build_bench.generate), builds it
with its posts indexed in shards of --shard pages (the default setting), then makes a copy
searched through one Pagefind index of the whole site (Pagefind run once over every page,
the search page's shard list emptied), serves each from 127.0.0.1 and opens the
search page in headless Chromium (Debian's, through Playwright), each query in a new
browser context (an empty cache, as a new reader). Measured per query: the time from
typing the query to the first result on screen, and the bytes transferred for it (from
the moment of typing: Pagefind's entry files, the index chunks, the first fragments).
Printed: medians per variant and the sharded/unsharded ratios; also what the search page
itself cost before typing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_bench import generate, settings_files  # noqa: E402
from measure import timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = ["forecasting operators", "substation", "telemetry latency", "runbook", "carbon energy",
           "failover", "pressure sensors"]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def one_index(sharded: str, out: str) -> float:
    """A copy of the sharded site searched through one Pagefind index of every page."""
    import re
    import subprocess

    shutil.copytree(sharded, out)
    for name in os.listdir(out):
        if name.startswith("pagefind"):
            shutil.rmtree(os.path.join(out, name))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", out, "--output-subdir", "pagefind",
                    "--glob", "{*.html,**/*.html}", "--quiet"], check=True)
    seconds = time.perf_counter() - started
    page = os.path.join(out, "search", "index.html")
    with open(page, encoding="utf-8") as fh:
        html, found = re.subn(r"data-bundles='[^']*'", "data-bundles='[]'", fh.read())
    if found != 1:
        raise SystemExit("the search page's data-bundles attribute was not found")
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(html)
    return seconds


def build(work: str, name: str, shard: int) -> tuple[float, str]:
    conf, _ = settings_files(work, os.path.join(work, "content"))
    variant = os.path.join(work, f"{name}_settings.py")
    out = os.path.join(work, f"out-{name}")
    with open(conf, encoding="utf-8") as fh, open(variant, "w", encoding="utf-8") as to:
        cache = os.path.join(work, f"cache-{name}")
        to.write(fh.read() + f"\nOUTPUT_PATH = {out!r}\nCACHE_PATH = {cache!r}\n"
                 f"EMINENCE_SEARCH_SHARD_PAGES = {shard}\n")
    code = ("import sys; sys.path.insert(0, 'plugins'); from eminence_showcase import runner; "
            f"runner.build(runner.load_settings({variant!r}))")
    seconds, _, _ = timed([sys.executable, "-c", code], ROOT, f"build ({name})")
    return seconds, out


def measure(browser, url: str, query: str) -> tuple[float, int, int]:
    """(seconds to the first result, bytes for the query, bytes of the page before it)."""
    context = browser.new_context()
    page = context.new_page()
    finished: list[tuple[str, int]] = []  # (url, bytes on the wire: headers and body)

    def count(request):
        sizes = request.sizes()
        finished.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    page.on("requestfinished", count)
    page.goto(url + "search/", wait_until="networkidle")
    page.wait_for_selector(".pagefind-ui__search-input")
    page.wait_for_timeout(500)  # what the page loads by itself, counted before the query
    before = len(finished)
    page_bytes = sum(b for _, b in finished)
    started = time.perf_counter()
    page.fill(".pagefind-ui__search-input", query)
    page.wait_for_selector(".pagefind-ui__result-link", timeout=60000)
    first = time.perf_counter() - started
    page.wait_for_timeout(1000)  # the fragments of the first results, the last shards' answers
    spent = sum(b for _, b in finished[before:])
    if os.environ.get("SEARCH_BENCH_DEBUG"):
        print(query, [(u.rsplit("/", 2)[-2:], b) for u, b in finished[before:]][:40])
    context.close()
    return first, spent, page_bytes


def main(argv=None) -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", default="5000,20000")
    ap.add_argument("--shard", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=5)
    args = ap.parse_args(argv)
    queries = QUERIES[: args.queries]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    print(f"{os.cpu_count()} CPU(s); {len(queries)} queries, each in a new browser context")
    print(f"{'posts':>6} {'index':<24} {'build s':>8} {'bundles':>8} {'first result ms':>16} "
          f"{'KiB/query':>10} {'page KiB':>9}")
    for n in [int(x) for x in args.posts.split(",")]:
        work = tempfile.mkdtemp(prefix="eminence-search-bench-")
        try:
            generate(os.path.join(work, "content"), n, max(1, n // 25), 20, n // 10)
            rows = {}
            seconds, sharded = build(work, "sharded", args.shard)
            for name in ("sharded", "one"):
                out = sharded
                if name == "one":
                    out = os.path.join(work, "out-one")
                    seconds = one_index(sharded, out)  # Pagefind alone, not a whole build
                bundles = sum(1 for p in os.listdir(out) if p.startswith("pagefind"))
                server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=out))
                threading.Thread(target=server.serve_forever, daemon=True).start()
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
                    runs = [measure(browser, url, q) for q in queries]
                    browser.close()
                server.shutdown()
                first = statistics.median(r[0] for r in runs) * 1000
                spent = statistics.median(r[1] for r in runs) / 1024
                page = statistics.median(r[2] for r in runs) / 1024
                rows[name] = (first, spent)
                label = f"{bundles - 1} shards + site" if name == "sharded" else "one index"
                print(f"{n:>6} {label:<24} {seconds:>8.1f} {bundles:>8} {first:>16.0f} {spent:>10.0f} "
                      f"{page:>9.0f}")
            (f1, b1), (f2, b2) = rows["sharded"], rows["one"]
            print(f"{n:>6} {'sharded / one index':<24} {'':>8} {'':>8} {f1 / f2:>15.2f}x {b1 / b2:>9.2f}x")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

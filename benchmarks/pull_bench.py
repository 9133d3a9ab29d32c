"""Benchmark `invoke pull` against a naive baseline, in one run (run on demand).

    python3 -m invoke bench-pull [--feeds 1000] [--entries 20] [--runs 1]
    python3 -m invoke bench-pull --stages   (where a parser worker's time goes)

Serves N synthetic Atom feeds (E entries of ~3 KB HTML each) from a separate
server process on 127.0.0.1, then measures, each as wall time:

- baseline: a sequential loop of urllib fetch + feedparser.parse (defaults) +
  writing one file per entry, as the issue defines it;
- cold: `invoke pull` in a fresh subprocess on an empty content folder;
- warm 304: the same pull again, every feed answering 304 Not Modified;
- warm same body: again with ETags ignored by the server, so every feed returns
  a body identical to last time;
- two floors (see floors()): the least any pull on this stack could take, cold
  and warm, so a ratio can be read against what is reachable at all.

Peak memory, sampled every 20 ms from /proc (measure.py): in each timed pull, the
largest sum of the RSS of the pull's processes (main process and parser workers; an
upper bound, a page shared after a fork counting in each); and, in one more cold pull
that is not timed, the largest total PSS (a shared page counted once). PSS is not
sampled in timed pulls: reading it takes the kernel's memory-map lock of every process
sampled and slowed the pull it measured (figures dated before 2026-12-07 were taken
that way). Figures are printed as ratios
against the baseline measured in the same run: absolute times vary between machines,
ratios much less.

Leave a few minutes between runs on ext4. For a while after tens of thousands of
files are deleted (this script removes its folder at the end), ext4's inode
allocator skips the recently freed inodes one by one, and creating a file costs
several times more system time; `perf` shows it as recently_deleted() and
find_inode_bit(). The pull writes into 200 folders and suffers more from it than
the baseline's single folder does: measured on the team's VM, a cold pull's system
time went from ~2 s to ~5-7 s right after such a deletion.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "plugins"))
# Importing it installs nothing: the pull's SAX driver is put in place by feedparse()
# itself, so the baseline in this process keeps feedparser's own driver.
from eminence_pull.parse import ParsedFeed, feedparse  # noqa: E402

WORDS = ["grid", "reliability", "forecasting", "operators", "model", "sensors", "failover", "security",
         "edge", "platform", "energy", "carbon", "runbook", "incident", "latency", "telemetry", "network",
         "control", "pressure", "substation"]


def entry_html(feed: int, n: int) -> str:
    words = [WORDS[(feed * 7 + n * 3 + i) % len(WORDS)] for i in range(60)]
    para = " ".join(words)
    return (f"<p>{para.capitalize()}. See <a href=\"/notes/{feed}/{n}\">the notes</a> and "
            f"<a href=\"https://docs.example.com/{n}\">the docs</a>.</p>"
            f"<h2>Findings {n}</h2><ul><li>{para[:120]}</li><li>{para[120:240]}</li></ul>"
            f"<p><img src=\"/img/{feed}-{n}.png\" alt=\"Chart {n}\"> {para} <em>{para[:80]}</em></p>"
            f"<blockquote><p>{para[:200]}</p></blockquote><p>{para} <strong>{para[:60]}</strong></p>"
            f"<pre>code line one\ncode line two {n}</pre><p>{para}</p>")


def feed_xml(feed: int, entries: int) -> bytes:
    items = []
    for n in range(entries):
        html = entry_html(feed, n).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        items.append(f"<entry><id>tag:bench,{feed}:{n}</id><title>Feed {feed} post {n}</title>"
                     f"<link href=\"https://blog{feed % 50}.example.com/{feed}/{n}/\"/>"
                     f"<updated>2026-{1 + n % 10:02}-{1 + feed % 28:02}T10:00:00Z</updated>"
                     f"<category term=\"forecasting\"/><content type=\"html\">{html}</content></entry>")
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Bench feed {feed}</title><link href=\"https://blog{feed % 50}.example.com/\"/>"
            f"<id>tag:bench,{feed}</id><updated>2026-11-01T00:00:00Z</updated>{''.join(items)}</feed>"
            ).encode()


def serve(port_queue, n_feeds: int, entries: int, honour_etag) -> None:
    """The feed server (its own process). honour_etag is a shared flag.

    A minimal HTTP/1.1 responder on asyncio, not http.server: the stdlib's thread
    per connection cost more CPU per 304 than the pull under test, on the same two
    cores. It keeps connections alive, answers 304 to a matching If-None-Match, and
    serves nothing but GET of the feeds."""
    import asyncio

    bodies = {f"/feed/{i}.xml": feed_xml(i, entries) for i in range(n_feeds)}
    etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for p, b in bodies.items()}

    def answer(path: str, headers: dict) -> bytes:
        body = bodies.get(path)
        if body is None:
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        etag = etags[path]
        if honour_etag.value and headers.get("if-none-match") == etag:
            return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
        return (f"HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Type: application/atom+xml\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    async def handle(reader, writer):
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                path = head[0].split(" ")[1]
                fields = (h.partition(":") for h in head[1:] if h)
                headers = {k.strip().lower(): v.strip() for k, _, v in fields}
                writer.write(answer(path, headers))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":  # urllib, the baseline
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def make_project(folder: str, base: str, n_feeds: int, feeds_per_expert: int = 5) -> str:
    content = os.path.join(folder, "content")
    for sub in ("topics", "experts", "posts"):
        os.makedirs(os.path.join(content, sub), exist_ok=True)
    for slug, title, kw in (("reliability", "Grid Reliability", "reliability, failover, incident"),
                            ("ai", "Applied AI", "forecasting, model, machine learning"),
                            ("security", "Security", "security, network")):
        with open(os.path.join(content, "topics", f"{slug}.md"), "w") as fh:
            fh.write(f"Title: {title}\nSummary: {title}.\nKeywords: {kw}\n\nIntro.\n")
    for e in range(0, n_feeds, feeds_per_expert):
        urls = ", ".join(f"{base}/feed/{i}.xml" for i in range(e, min(e + feeds_per_expert, n_feeds)))
        with open(os.path.join(content, "experts", f"expert-{e:05}.md"), "w") as fh:
            fh.write(f"Title: Expert {e}\nTopics: reliability, ai, security\nFeeds: {urls}\n\nBio.\n")
    # One server serves every feed here: this measures the CPU path, so the per-host
    # limit is the whole default concurrency (politeness: network_bench.py).
    return pull_settings(folder, content, {"EMINENCE_PULL_PER_HOST": 64})


def pull_settings(folder: str, content: str, extra: dict) -> str:
    """A settings file for a benchmark's pull: the example's settings, this content, no
    example feed files, every entry written, loopback servers allowed; then `extra`."""
    conf = os.path.join(folder, "benchconf.py")
    with open(conf, "w") as fh:
        fh.write(textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {ROOT!r})
            from pelicanconf import *  # noqa
            PATH = {content!r}
            OUTPUT_PATH = {os.path.join(folder, "output")!r}
            CACHE_PATH = {os.path.join(folder, "cache")!r}
            THEME = {os.path.join(ROOT, "theme")!r}
            PLUGIN_PATHS = [{os.path.join(ROOT, "plugins")!r}]
            EMINENCE_PULL_NEW_EXPERT_LIMIT = 1000000
            EMINENCE_ALLOW_LOCAL_FEEDS = False
            EMINENCE_FEED_FILES = {{}}
            EMINENCE_PULL_ALLOW_ADDRESSES = ["127.0.0.0/8"]
        """) + "".join(f"{k} = {v!r}\n" for k, v in extra.items()))
    return conf


def timed_pull(conf: str, memory: str = "rss") -> tuple[float, float, str]:
    """Run `invoke pull` as a subprocess; return (seconds, peak tree memory in MiB, output)."""
    return timed([sys.executable, "-m", "invoke", "pull", "--settings", conf], ROOT, "pull", memory=memory)


def baseline(base: str, n_feeds: int, folder: str) -> float:
    """The naive pipeline: sequential urllib + feedparser defaults + one file per entry."""
    import feedparser

    os.makedirs(folder, exist_ok=True)
    started = time.perf_counter()
    for i in range(n_feeds):
        with urllib.request.urlopen(f"{base}/feed/{i}.xml", timeout=30) as response:
            data = response.read()
        parsed = feedparser.parse(data)
        for n, entry in enumerate(parsed.entries):
            with open(os.path.join(folder, f"{i}-{n}.md"), "w", encoding="utf-8") as fh:
                fh.write(f"Title: {entry.title}\n\n{entry.content[0].value}\n")
    return time.perf_counter() - started


def _parse_only(data: bytes) -> int:
    """feedparser exactly as the pull calls it (in a pool worker, so the driver it
    installs stays out of this process)."""
    url = "http://127.0.0.1/feed.xml"
    return len(feedparse(data, url, "application/atom+xml", ParsedFeed(url)).entries)


def floors(n_feeds: int, entries: int) -> tuple[float, float]:
    """What no pull built on this stack can beat, measured here and now:
    - cold: feedparser alone, as the pull runs it (its sanitizer and URL pass off,
      the buffered SAX driver), over every feed's bytes, already in memory, on one
      process per core;
    - warm: starting Python and importing invoke and Pelican, the least a
      `python -m invoke pull` does before its first request.
    """
    bodies = [feed_xml(i, entries) for i in range(n_feeds)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        started = time.perf_counter()
        pool.map(_parse_only, bodies, chunksize=8)
        parse = time.perf_counter() - started
    imports = min(timed([sys.executable, "-c", "import invoke, pelican"], ROOT, "imports")[0]
                  for _ in range(3))
    return parse, imports


def stages(n_feeds: int, entries: int) -> None:
    """CPU time per feed of each stage of parsing, in this process (best of 5): where
    a parser worker's time goes. Feed bytes are generated in memory; no server."""
    import io

    import feedparser

    from eminence_pull import convert
    from eminence_pull.parse import parse_feed

    bodies = [feed_xml(i, entries) for i in range(n_feeds)]
    words = ["quantum", "biology", "retail", "finance", "legal", "privacy", "cloud", "devops",
             "mobile", "design", "hiring", "culture", "logistics", "pricing", "robotics", "space",
             "health", "marketing", "supply chain"]
    three = {"reliability": ["Grid Reliability", "reliability", "failover", "incident"],
             "ai": ["Applied AI", "forecasting", "model", "machine learning"],
             "security": ["Security", "security", "network"]}
    twenty = three | {f"t{i}": [f"Topic {w}", w, f"{w}s"] for i, w in enumerate(words[:17])}

    def best(fn) -> float:
        times = []
        for _ in range(5):
            started = time.process_time()
            fn()
            times.append(time.process_time() - started)
        return min(times) / n_feeds * 1000

    def unbuffered():
        return [feedparser.parse(io.BytesIO(b), response_headers={"content-type": "application/atom+xml"},
                                 sanitize_html=False, resolve_relative_uris=False) for b in bodies]

    # In this order: feedparser's own SAX driver is measured before the first
    # feedparse() call installs the pull's.
    rows = [("feedparser.parse, defaults (the baseline's parse)",
             lambda: [feedparser.parse(io.BytesIO(b)) for b in bodies]),
            ("feedparser, sanitizer and URL pass off, stdlib SAX driver", unbuffered),
            ("feedparser as the pull runs it (also the buffered SAX driver)",
             lambda: [_parse_only(b) for b in bodies])]
    htmls = [e.content[0].value for feed in unbuffered() for e in feed.entries]
    base = "https://blog1.example.com/1/1/"
    rows.append(("nh3 sanitizing, links resolved",
                 lambda: [convert.sanitize_with_base(h, base) for h in htmls]))
    rows.append(("sanitize + Markdown conversion of the whole post",
                 lambda: [convert.html_to_blocks(h, base) for h in htmls]))
    rows.append(("sanitize + conversion of an 80-word excerpt (the default)",
                 lambda: [convert.html_to_blocks(h, base, 80) for h in htmls]))
    for name, terms in (("3 topics", three), ("20 topics", twenty)):
        rows.append((f"parse_feed, the whole worker step, {name}", lambda terms=terms: [
            parse_feed(b, f"http://127.0.0.1/feed/{i}.xml", "application/atom+xml", topic_terms=terms)
            for i, b in enumerate(bodies)]))
    print(f"{'stage (CPU ms per feed of ' + str(entries) + ' entries, best of 5)':<66} {'ms':>6}")
    for name, fn in rows:
        print(f"{name:<66} {best(fn):6.2f}")


ROWS = ["baseline (sequential urllib + feedparser defaults + write)", "invoke pull, cold",
        "invoke pull, warm (all 304)", "invoke pull, warm (identical bodies)",
        "floor, cold: feedparser alone, 1 process per core",
        "floor, warm: python -c 'import invoke, pelican'"]


def one_run(work: str, base: str, args, honour_etag) -> tuple[dict, dict, dict]:
    """Every row once, in a fresh project: ({row: seconds}, {row: peak MiB}, {label: summary})."""
    conf = make_project(work, base, args.feeds)
    seconds, memory = {}, {}
    # Each timed step starts with no writes pending, so none pays for the one before
    # it (the build benchmark does the same; see settle() there).
    os.sync()
    seconds[ROWS[0]] = baseline(base, args.feeds, os.path.join(work, "baseline"))
    honour_etag.value = 1
    outputs = {}
    for row, label in ((ROWS[1], "cold"), (ROWS[2], "warm 304"), (ROWS[3], "warm same body")):
        if row == ROWS[3]:
            honour_etag.value = 0  # every feed now returns 200 with the same body
        os.sync()
        seconds[row], memory[row], out = timed_pull(conf)
        outputs[label] = " / ".join(ln for ln in out.splitlines() if ln.startswith(("Feeds:", "Posts:")))
    seconds[ROWS[4]], seconds[ROWS[5]] = floors(args.feeds, args.entries)
    outputs["posts"] = sum(len(f) for _, _, f in os.walk(os.path.join(work, "content", "posts")))
    # Untimed: one more cold pull, in a project of its own, with PSS sampled.
    honour_etag.value = 1
    os.sync()
    memory["pss"] = timed_pull(make_project(work + "-pss", base, args.feeds), memory="pss")[1]
    return seconds, memory, outputs


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1,
                    help="repeat everything; medians are reported (each run in a fresh folder)")
    ap.add_argument("--stages", action="store_true",
                    help="instead: CPU time per feed of each parsing stage, in one process")
    args = ap.parse_args(argv)
    if args.stages:
        stages(min(args.feeds, 100), args.entries)
        return

    ctx = multiprocessing.get_context("fork")
    honour_etag = ctx.Value("b", 1)
    ports = ctx.Queue()
    server = ctx.Process(target=serve, args=(ports, args.feeds, args.entries, honour_etag), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=120)}"
    work = tempfile.mkdtemp(prefix="eminence-bench-")
    try:
        sample = feed_xml(0, args.entries)
        print(f"{args.feeds} feeds x {args.entries} entries; one feed is {len(sample) / 1024:.0f} KiB "
              f"(~{len(sample) / args.entries / 1024:.1f} KiB per entry); "
              f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; {args.runs} run(s)")
        runs = []
        for n in range(args.runs):
            # Nothing is deleted until the end: see the note on ext4 above.
            runs.append(one_run(os.path.join(work, f"run-{n}"), base, args, honour_etag))
            if args.runs > 1:
                print(f"  run {n + 1}: " + ", ".join(f"{runs[-1][0][r]:.2f}" for r in ROWS) + " s")
        print(f"\n{'run':<58} {'seconds (min-max)':>19} {'feeds/s':>8} {'vs baseline':>12} {'peak RSS':>9}")
        for row in ROWS:
            times = [r[0][row] for r in runs]
            # The ratio of each run's baseline to its own figure, then the median:
            # both were measured under the same machine conditions.
            ratio = statistics.median(r[0][ROWS[0]] / r[0][row] for r in runs)
            mem = max((r[1].get(row, 0) for r in runs), default=0)
            spread = f"({min(times):.2f}-{max(times):.2f})" if len(runs) > 1 else ""
            print(f"{row:<58} {statistics.median(times):6.2f} {spread:>12} "
                  f"{args.feeds / statistics.median(times):8.0f} {ratio:11.1f}x "
                  f"{(f'{mem:.0f} MiB' if mem else '-'):>9}")
        last = runs[-1][2]
        print(f"\nposts written by the cold pull: {last['posts']} of {args.feeds * args.entries} entries")
        for label in ("cold", "warm 304", "warm same body"):
            print(f"{label}: {last[label]}")
        print(f"peak PSS of a cold pull (untimed, shared pages counted once): "
              f"{max(r[1]['pss'] for r in runs):.0f} MiB; peak RSS above is summed over the processes")
        print("targets: cold >= 3x, warm >= 30x the baseline's throughput; peak memory < 300 MB")
        print("a floor row's ratio is the most a pull on this stack could reach (everything else free)")
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

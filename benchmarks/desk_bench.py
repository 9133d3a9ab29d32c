"""The desk at scale: how long an editor waits after a decision (on demand).

    python3 benchmarks/desk_bench.py [--posts 5000] [--decisions 20]

Generates the build benchmark's showcase (build_bench.generate) with --decisions of its
posts as drafts, starts the desk over it (what `invoke desk` starts, with its preview in
the benchmark's folder), waits for the first preview build, then in headless Chromium
(Debian's, through Playwright) makes each decision as an editor does: the draft's preview
page open in one tab, its item page in the desk in another, a click on Approve. Measured
per decision, from the click:

- "next item shown": until the desk has answered with the next item's page (the editor
  can go on);
- "preview updated": until the preview tab, which reloads itself (static/refresh.js), no
  longer shows the draft's DRAFT badge — what #34 asks to be at most 1 s.

Printed: the median and min–max of each, and the desk process's memory (RSS) after the
first preview build and after the last decision (a process that builds again and again
must not keep its old builds). The next decision starts once the preview is idle, so each
is measured alone.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_bench import generate, settings_files  # noqa: E402
from search_bench import FLAGS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What tasks.desk starts, with the preview written into the benchmark's folder.
DESK = """
import sys
sys.path.insert(0, {plugins!r})
from eminence_desk.web import Preview, create_app, serve
from eminence_showcase import runner

overrides = dict(EMINENCE_PREVIEW=True, OUTPUT_PATH={preview!r})
preview = Preview(lambda on_pages: runner.build_in_new_process({conf!r}, on_pages, **overrides), {preview!r})
settings = runner.load_settings({conf!r}, **overrides)
app = create_app(settings, preview)
preview.start(watch=[settings["PATH"]])
serve(app, 0, open_browser=False)
"""


def make_drafts(content: str, count: int) -> list[str]:
    """The first post of `count` experts becomes a draft; returns their paths."""
    paths = []
    for e in range(count):
        folder = os.path.join(content, "posts", f"expert-{e:03}")
        path = os.path.join(folder, sorted(os.listdir(folder))[0])
        with open(path, encoding="utf-8") as fh:
            head, body = fh.read().split("\n\n", 1)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{head}\nStatus: draft\n\n{body}")
        paths.append(path)
    return paths


def start_desk(conf: str, preview: str) -> tuple[subprocess.Popen, str]:
    code = DESK.format(plugins=os.path.join(ROOT, "plugins"), conf=conf, preview=preview)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    while True:
        line = lines.get(timeout=300)
        if line.startswith("The desk is at "):
            return proc, line.split()[4]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def state(url: str) -> dict:
    import json

    with urllib.request.urlopen(url + "preview-state", timeout=30) as response:
        return json.loads(response.read())


def idle(url: str, after: int = 0) -> dict:
    while True:
        now = state(url)
        if not now["building"] and now["built"] > after:
            if now["error"]:
                raise SystemExit(f"the preview build failed: {now['error']}")
            return now
        time.sleep(0.2)


def main(argv=None) -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=int, default=5000)
    ap.add_argument("--decisions", type=int, default=20)
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="eminence-desk-bench-")
    proc = None
    try:
        content = os.path.join(work, "content")
        generate(content, args.posts, max(args.decisions, args.posts // 25), 20, args.posts // 10)
        drafts = make_drafts(content, args.decisions)
        conf, _ = settings_files(work, content)
        started = time.perf_counter()
        proc, url = start_desk(conf, os.path.join(work, "preview"))
        idle(url)
        print(f"{os.cpu_count()} CPU(s); {args.posts} posts; first preview build "
              f"{time.perf_counter() - started:.1f} s; {args.decisions} decisions")
        memory = [rss_mib(proc.pid)]
        shown, updated = [], []
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
            desk, beside = browser.new_page(), browser.new_page()
            for path in drafts:
                expert, name = path.split(os.sep)[-2:]
                beside.goto(f"{url}preview/posts/{expert}/{name[:-3]}/")
                assert beside.locator(".badge-draft").count() == 1, "the draft is not in the preview"
                desk.goto(f"{url}item?path={quote(path)}")
                before = state(url)["built"]
                clicked = time.perf_counter()
                with desk.expect_navigation():
                    desk.get_by_role("button", name="Approve").click()
                shown.append(time.perf_counter() - clicked)
                beside.locator(".badge-draft").wait_for(state="detached", timeout=600_000)
                updated.append(time.perf_counter() - clicked)
                idle(url, after=before)
            browser.close()
        memory.append(rss_mib(proc.pid))
        for label, values in (("next item shown", shown), ("preview updated", updated)):
            print(f"{label:<18} median {statistics.median(values):6.2f} s "
                  f"({min(values):.2f}–{max(values):.2f})")
        print(f"desk process RSS: {memory[0]:.0f} MiB after the first preview build, "
              f"{memory[1]:.0f} MiB after the last decision")
        print("target (#34): preview updated <= 1 s, median of 20 decisions at 5,000 posts")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

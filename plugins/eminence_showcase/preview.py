"""The editors' preview: serve a built folder, and rebuild it on every change.

`livereload` builds in preview mode into its own folder (never the public
output/), watches content, theme and settings all the time (a save during a build
still triggers the next one), and keeps the last good preview when a build fails.
Each build runs in a process of its own (runner.build_in_new_process): this one runs
threads (the server, the watcher), in which a build's rendering never forks onto the
other cores, and it keeps none of a build's memory between saves.
"""

from __future__ import annotations

import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


def server(folder: str, bind: str, port: int):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    return ThreadingHTTPServer((bind, int(port)), partial(Quiet, directory=folder))


def livereload(build, folder: str, watched: list[str], ignore_files, bind: str, port: int) -> None:
    """Serve `folder` and call `build()` (it builds the preview into `folder`; raises
    RuntimeError with the build's message) whenever a watched path changes, until Ctrl-C."""
    from pelican.utils import FileChangeFilter
    from watchfiles import watch

    httpd = server(folder, bind, port)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    # Watch all the time, not only between builds: a save during a build (or just
    # after it) still triggers the next one. Pelican's own filter skips editor swap files.
    changed, stop = threading.Event(), threading.Event()
    ignore = FileChangeFilter(ignore_file_patterns=set(ignore_files))

    def watcher():
        for _ in watch(*watched, watch_filter=ignore, stop_event=stop):
            changed.set()

    threading.Thread(target=watcher, daemon=True).start()
    print(f"Preview (drafts shown) at http://{bind}:{httpd.server_address[1]}/ — rebuilt on every "
          "change to content/, theme/ or the settings; reload the page to see it. Ctrl-C to stop.",
          flush=True)
    try:
        while True:
            changed.clear()
            try:
                build()  # after any `invoke build` into the same folder (the build lock)
                print(f"Preview rebuilt at {time.strftime('%H:%M:%S')}.", flush=True)
            except RuntimeError as error:  # invalid content, a broken save: keep the last good preview
                print(f"{error}\nThe last good preview stays; fix the file you just saved.",
                      file=sys.stderr, flush=True)
            changed.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.shutdown()

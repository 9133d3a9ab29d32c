"""The editors' preview: serve a built folder, and rebuild it on every change.

`livereload` builds in preview mode into its own folder (never the public
output/), watches content, theme and settings all the time (a save during a build
still triggers the next one), and keeps the last good preview when a build fails.
"""

from __future__ import annotations

import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from eminence_model.validate import ContentError

from . import runner


def server(folder: str, bind: str, port: int):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    return ThreadingHTTPServer((bind, int(port)), partial(Quiet, directory=folder))


def livereload(conf: dict, watched: list[str], bind: str, port: int) -> None:
    """Serve conf's OUTPUT_PATH and rebuild it whenever a watched path changes, until Ctrl-C."""
    from pelican.utils import FileChangeFilter
    from watchfiles import watch

    httpd = server(conf["OUTPUT_PATH"], bind, port)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    # Watch all the time, not only between builds: a save during a build (or just
    # after it) still triggers the next one. Pelican's own filter skips editor swap files.
    changed, stop = threading.Event(), threading.Event()
    ignore = FileChangeFilter(ignore_file_patterns=set(conf.get("IGNORE_FILES", [])))

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
                runner.build(conf, wait=True)  # after any `invoke build` into the same folder
                print(f"Preview rebuilt at {time.strftime('%H:%M:%S')}.", flush=True)
            except (ContentError, runner.BuildWarnings) as error:  # keep the last good preview
                print(error, file=sys.stderr, flush=True)
            except Exception as error:  # noqa: BLE001 - any broken save: the preview lives on
                print(f"The preview could not be rebuilt ({type(error).__name__}: {error}); the last "
                      "good preview stays. Fix the file you just saved.", file=sys.stderr, flush=True)
            changed.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.shutdown()

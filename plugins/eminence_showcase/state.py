"""What one build carries from signal to signal: the whole contract on one screen.

Pelican's signals pass the settings dict (or objects holding it) and nothing
else, so a build's own state hangs off the settings under one key,
`_EMINENCE_BUILD` (keys starting with `_EMINENCE` are left out of every digest).
Each field says which step sets it and which reads it:

- `clean_output`: set by `apply_settings` (initialized) in place of Pelican's
  DELETE_OUTPUT_DIRECTORY; read by `OutputWriter`, which empties output/ only
  when it has no record of the last build.
- `writer`: set by `OutputWriter.__init__` (get_writer); read by `finish_output`
  (finalized) and `search.build_index`.
- `search_plan`: set by `ShowcaseGenerator.generate_context`; read by
  `search.build_index` (finalized).
- `pages_written`: set by `runner.build` (its `on_pages`); called by `finish_output`
  once the pages are final, before search is indexed, with whether any file changed
  (the desk's preview reloads then, not seconds later when Pagefind is done).
- `url_wrappers`: filled and read by `share_url_wrappers` (content_object_init): the
  build's one Category, Author and Tag object per name (pelican_adapter.share_url_wrappers).
- `search_after_run`: set by `runner.build`; read by `finish_output`, which then leaves
  search to the runner: it indexes once `Pelican.run` has returned and the build's
  objects are freed (Pagefind's runs need the memory). Plain `pelican` indexes in
  `finish_output`.

The readers' cache has a state of its own (`eminence_model.reading`): tools that
read content without a build (the pull, the desk) use it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .output import OutputWriter

KEY = "_EMINENCE_BUILD"


@dataclass
class BuildState:
    clean_output: bool = False  # start from an empty output/ when there is no record
    writer: OutputWriter | None = None
    search_plan: dict[str, dict] = field(default_factory=dict)  # bundle -> its posts' plan
    pages_written: Callable[[bool], None] | None = None
    search_after_run: bool = False
    url_wrappers: dict = field(default_factory=dict)  # (class, name) -> the build's one object


def build_state(settings: dict) -> BuildState:
    state = settings.get(KEY)
    if state is None:
        state = settings[KEY] = BuildState()
    return state


def new_build(settings: dict) -> BuildState:
    """A fresh state for a build that starts, even when the settings are reused."""
    settings[KEY] = state = BuildState()
    return state

"""eminence_pull: experts' feeds and topics' watch feeds -> Markdown in content/.

The pull stage. It depends on the content model only (who the experts are, where
files go, how they are written) and on nothing that builds or publishes the site:

    fetch.py      polite HTTP (conditional GET, size cap, deadline, redirects, 410, Retry-After)
    parse.py      feedparser -> entries with identity, dates, cleaned HTML, topics
    convert.py    sanitized HTML -> Markdown (and the excerpt)
    shape.py      nesting flattened before sanitizing, a teaser line dropped after
    mentions.py   watch-feed entries -> mentions of the brand (endorsement candidates)
    ranking.py    the review queue's ranking of candidates (tone, first-hand, news)
    posts.py      entries -> post files, decided against the ledger
    candidates.py mentions -> draft endorsement files
    render.py     a post file's bytes and its free path
    state.py      the ledger (with its journal) and per-feed health
    puller.py     the schedule: fetch, parse, apply, in feed order
    summary.py    what a pull reports; health.py, long-term flags; settings.py, defaults

`run_pull(settings)` is the whole stage; `invoke pull` calls it.
"""

from .puller import Puller, run_pull
from .summary import Summary

__all__ = ["Puller", "Summary", "run_pull"]

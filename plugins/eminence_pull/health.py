"""Long-term feed health: feeds failing for days, experts silent for months.

The per-feed record itself (`content/_pull/health.json` and the cache's observations)
is kept by state.Health and updated by the puller after each fetch; this module reads it for the pull's
summary and the desk's health report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .settings import setting


def failing_cutoff(settings: dict, now: dt.datetime) -> str:
    """A feed failing since before this (ISO) time needs an editor."""
    return (now - dt.timedelta(days=setting(settings, "EMINENCE_FEED_FAILING_DAYS"))).isoformat()


def stale_flags(health: dict, experts: Mapping[str, Mapping], settings: dict, now: dt.datetime):
    """([(expert, feed, failing since)], [(expert, newest entry)]) past the settings' limits.
    `experts`: slug -> validated field values (People.experts, or each record's values)."""
    cutoff = failing_cutoff(settings, now)
    failing = [(h.get("expert", "?"), url, h["failing_since"][:10]) for url, h in health.items()
               if h.get("failing_since") and h["failing_since"] <= cutoff]
    months = setting(settings, "EMINENCE_EXPERT_SILENT_MONTHS")
    silent_cutoff = (now - dt.timedelta(days=30 * months)).isoformat()
    silent = []
    for slug, values in experts.items():
        if values.get("status", "active") != "active":
            continue
        newest = [health.get(u, {}).get("newest_entry") for u in values.get("feeds", [])]
        newest = [d for d in newest if d]
        if newest and max(newest) < silent_cutoff:
            silent.append((slug, max(newest)[:10]))
    return sorted(failing), sorted(silent)

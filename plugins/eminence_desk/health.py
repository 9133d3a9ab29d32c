"""Feed and topic health as the editor needs it: what needs action, and how to fix it."""

from __future__ import annotations

import datetime as dt

from eminence_model.settings import setting
from eminence_model.showcase import Showcase


def health_report(health: dict, showcase: Showcase, settings: dict,
                  now: dt.datetime | None = None) -> dict:
    """Everything that needs an editor's action, from the pull's persisted health."""
    from eminence_model.sanitize import plain_text
    from eminence_pull.health import stale_flags

    now = now or dt.datetime.now(dt.UTC)
    failing, silent = stale_flags(health, {x.slug: x.values for x in showcase.experts}, settings, now)
    errors = sorted((h.get("expert", "?"), url, h["error"], (h.get("failing_since") or "")[:10])
                    for url, h in health.items() if h.get("error"))
    moved = sorted((h.get("expert", "?"), url, h["moved_to"]) for url, h in health.items()
                   if h.get("moved_to"))
    gone = sorted((h.get("expert", "?"), url) for url, h in health.items() if h.get("gone"))
    months = setting(settings, "EMINENCE_TOPIC_QUIET_MONTHS")
    quiet_cutoff = now - dt.timedelta(days=30 * months)
    no_expert = [t.slug for t in showcase.topics if not showcase.experts_of(t, active=True)]
    no_endorsement = [t.slug for t in showcase.topics
                      if not any(e.date >= quiet_cutoff for e in showcase.endorsements_of(t))]
    # A new expert's scaffold has a comment, not a made-up biography: the page shows none.
    no_bio = [x.slug for x in showcase.experts if not plain_text(x.biography).strip()]
    return {"feed_errors": errors, "failing_feeds": failing, "moved": moved, "gone": gone,
            "silent_experts": silent, "experts_without_biography": no_bio,
            "topics_without_active_expert": no_expert,
            "topics_without_recent_endorsement": no_endorsement, "quiet_months": months}


def needs_action(report: dict) -> bool:
    return any(report[k] for k in ("failing_feeds", "moved", "gone", "silent_experts",
                                   "experts_without_biography",
                                   "topics_without_active_expert", "topics_without_recent_endorsement"))


def health_lines(report: dict, feeds: int) -> list[str]:
    """`invoke health`'s report: each section with the fix in its heading."""
    sections = [
        ("Feeds with errors (expert, feed, error, since)", report["feed_errors"]),
        ("Feeds failing for a long time (expert, feed, since)", report["failing_feeds"]),
        ("Feeds moved permanently: update the expert's Feeds (expert, old, new)", report["moved"]),
        ("Feeds gone (410): remove them (expert, feed)", report["gone"]),
        ("Experts silent for a long time: consider Status: alumni (expert, newest)",
         report["silent_experts"]),
        ("Experts with no biography yet: write one in their file", report["experts_without_biography"]),
        ("Topics with no active expert", report["topics_without_active_expert"]),
        (f"Topics with no endorsement in {report['quiet_months']} months",
         report["topics_without_recent_endorsement"]),
    ]
    out = [f"{feeds} feeds known to the pull."]
    for title, rows in sections:
        out += ["", f"{title}: {'none' if not rows else ''}"]
        for row in rows:
            out.append("  " + ("  ".join(row) if isinstance(row, tuple) else row))
    return out

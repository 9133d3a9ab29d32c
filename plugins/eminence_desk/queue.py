"""What waits for review: draft posts and endorsement candidates, best first."""

from __future__ import annotations

import datetime as dt
import re

from eminence_model.sanitize import plain_text
from eminence_model.showcase import Endorsement, Showcase
from eminence_model.validate import display_path


def age_days(when: dt.datetime, now: dt.datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0, (now - when).days)


def queue_items(showcase: Showcase, content: str, now: dt.datetime | None = None,
                brand_terms: list[str] | None = None) -> list[dict]:
    """What waits for review: draft posts grouped by topic then expert, newest first
    within a group; then endorsement candidates, best first (see rank_endorsements)."""
    now = now or dt.datetime.now(dt.UTC)
    items = []
    for post in showcase.review.posts:
        items.append({
            "kind": "post", "path": display_path(post.path), "title": post.title,
            "topic": post.topics[0].slug, "topics": [t.slug for t in post.topics],
            "expert": post.expert.slug, "source": post.original, "post_kind": post.kind.value,
            "date": post.date.isoformat(), "age_days": age_days(post.date, now),
            "pulled": post.pulled, "review_note": post.values.get("review_note") or "",
        })
    order = {t.slug: i for i, t in enumerate(showcase.topics)}
    items.sort(key=lambda i: i["date"], reverse=True)
    items.sort(key=lambda i: (order.get(i["topic"], 999), i["expert"] or ""))
    return items + rank_endorsements(showcase.review.endorsements, now, brand_terms or [])


def rank_endorsements(endorsements: tuple[Endorsement, ...], now: dt.datetime,
                      brand_terms: list[str]) -> list[dict]:
    """Endorsements waiting for review, most useful first (docs/operating.md: "Ranking")."""
    from eminence_pull.mentions import TermMatcher
    from eminence_pull.ranking import rank

    brands = TermMatcher(brand_terms)
    items = []
    for e in endorsements:
        quote = plain_text(e.quote)
        matched = e.values.get("matched")
        terms = [t.strip() for t in matched.split(",")] if matched else brands.find(quote)
        date = e.date if e.date.tzinfo else e.date.replace(tzinfo=dt.UTC)
        score, why = rank(quote, terms, date, now, e.title)
        items.append({
            "kind": "endorsement", "path": display_path(e.path), "title": e.title,
            "topic": e.topics[0].slug, "topics": [t.slug for t in e.topics],
            "expert": e.experts[0].slug if e.experts else None, "endorser": e.endorser,
            "source": e.source, "consent": e.consent.value, "date": e.date.isoformat(),
            "age_days": age_days(e.date, now), "quote": quote, "matched": terms,
            "pulled": e.pulled, "score": score, "why": why, "post_kind": "endorsement",
        })
    def best_first(item):
        return -item["score"], item["age_days"], item["path"]

    items.sort(key=best_first)
    # A distinct voice: each further candidate from the same endorser counts one less,
    # so one prolific source cannot fill the top of the queue.
    seen: dict[str, int] = {}
    for item in items:
        who = " ".join(item["endorser"].split()).casefold()
        earlier = seen.get(who, 0)
        seen[who] = earlier + 1
        if earlier:
            item["score"] -= earlier
            item["why"].append(f"{earlier} stronger one(s) from the same endorser")
    items.sort(key=best_first)
    return items


def queue_lines(items: list[dict]) -> list[str]:
    """`invoke queue`'s report: posts by topic and expert, then endorsements best first."""
    if not items:
        return ["Nothing waits for review."]
    out = []
    posts = [i for i in items if i["kind"] == "post"]
    group = None
    for item in posts:
        if (item["topic"], item["expert"]) != group:
            group = (item["topic"], item["expert"])
            out += ["", f"{item['topic']} / {item['expert']}"]
        out.append(f"  {item['title'][:70]:<70} {item['age_days']:>4} d  {item['path']}")
        if item.get("source"):
            out.append(f"      source: {item['source']}")
    endorsements = [i for i in items if i["kind"] == "endorsement"]
    if endorsements:
        out += ["", "Endorsements, most useful first (score: why)"]
    for item in endorsements:
        quote = item["quote"]
        for term in item["matched"]:  # the watched term, highlighted for the editor
            quote = re.sub(re.escape(term), lambda m: f"**{m.group()}**", quote, flags=re.I)
        out.append(f"  {item['score']:>3}  {item['title'][:60]:<60} {item['age_days']:>4} d  {item['path']}")
        out.append(f"       by {item['endorser']} ({item['consent']}) — {'; '.join(item['why'])}")
        out.append(f"       source: {item['source']}")
        out.append(f"       \"{quote[:300]}\"")
    out += ["", f"{len(posts)} post(s) and {len(endorsements)} endorsement(s) wait for review."]
    return out

"""eminence_desk: the editor's commands (invoke queue / approve / reject / feature /
retopic / health). Not a Pelican plugin: tasks.py calls these functions.

Every command validates the content first (the build's own checks, same
messages). Edits change exactly the metadata lines concerned; the rest of the file
stays byte for byte as the editor left it.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from dataclasses import dataclass

from eminence_feeds.state import Ledger, atomic_write, pull_lock
from eminence_feeds.store import header_field
from eminence_showcase.model import PUBLIC_CONSENT
from eminence_showcase.structured import plain_text
from eminence_showcase.validate import display_path

STATE_DIR = "_pull"


class DeskError(Exception):
    """A command the editor asked for cannot be done as asked; nothing was changed."""


@dataclass
class Change:
    path: str
    field: str
    old: str | None
    new: str | None  # None: the file was removed

    def __str__(self) -> str:
        if self.new is None:
            return f"{display_path(self.path)}: removed"
        old = "(unset)" if self.old is None else self.old
        return f"{display_path(self.path)}: {self.field}: {old} -> {self.new}"


# -- reading and editing metadata lines -----------------------------------------


def _header_end(lines: list[str]) -> int:
    """Index of the first blank line (end of the metadata block), or len(lines)."""
    return next((i for i, line in enumerate(lines) if not line.strip()), len(lines))


def set_fields(path: str, values: dict[str, str], dry_run: bool = False) -> list[Change]:
    """Set metadata fields; only their lines change (a missing field is appended to
    the metadata block). Returns what changed."""
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    end = _header_end(lines)
    changes = []
    for field, value in values.items():
        pattern = re.compile(rf"^{re.escape(field)}\s*:", re.I)
        index = next((i for i in range(end) if pattern.match(lines[i])), None)
        if index is None:
            lines.insert(end, f"{field}: {value}{newline}")
            end += 1
            changes.append(Change(path, field, None, value))
            continue
        old = lines[index].split(":", 1)[1].strip()
        if old == value:
            continue
        ending = lines[index][len(lines[index].rstrip("\r\n")):] or newline
        lines[index] = f"{lines[index].split(':', 1)[0]}: {value}{ending}"
        changes.append(Change(path, field, old, value))
    if changes and not dry_run:
        atomic_write(path, "".join(lines).encode("utf-8"))
    return changes


# -- which files ---------------------------------------------------------------------


def targets(content: str, paths: str = "", all_from: str | None = None,
            kinds: tuple[str, ...] = ("posts", "endorsements")) -> list[str]:
    """Files named by paths (space- or comma-separated, globs allowed) and/or every
    draft post of an expert (all_from). Only posts and endorsements qualify."""
    content = os.path.realpath(content)
    found: list[str] = []
    for pattern in [p for p in re.split(r"[,\s]+", paths or "") if p]:
        matches = sorted(glob.glob(pattern, recursive=True)) or sorted(
            glob.glob(os.path.join(content, pattern), recursive=True))
        if not matches:
            raise DeskError(f"{pattern}: no such file. Give paths like "
                            "content/posts/<expert>/<slug>.md (globs allowed).")
        found += [os.path.realpath(m) for m in matches if m.endswith(".md")]
    if all_from:
        folder = os.path.join(content, "posts", all_from)
        if not os.path.isdir(folder):
            raise DeskError(f"--all-from {all_from}: no folder content/posts/{all_from}/.")
        found += [os.path.realpath(p) for p in sorted(glob.glob(os.path.join(folder, "**", "*.md"),
                                                                recursive=True))
                  if (header_field(p, "Status") or "published").lower() == "draft"]
    allowed = tuple(os.path.join(content, k) + os.sep for k in kinds)
    for path in found:
        if not path.startswith(allowed):
            raise DeskError(f"{display_path(path)}: not a post or endorsement under content/"
                            f"{{{','.join(kinds)}}}/.")
    if not found:
        raise DeskError("nothing to do: name files (globs allowed) or use --all-from EXPERT.")
    return list(dict.fromkeys(found))


def kind_of(content: str, path: str) -> str:
    rel = os.path.relpath(path, content).split(os.sep)
    return rel[0]


# -- the commands ----------------------------------------------------------------------


def approve(content: str, files: list[str]) -> list[Change]:
    """Publish drafts. An endorsement is published only with public or granted consent."""
    refused = []
    for path in files:
        consent = (header_field(path, "Consent") or "").lower()
        if kind_of(content, path) == "endorsements" and consent not in PUBLIC_CONSENT:
            refused.append(f"{display_path(path)}: Consent: '{consent or 'missing'}'. Fix: record "
                           "consent ('Consent: granted', or 'public' if said publicly at Source) first.")
    if refused:
        raise DeskError("not approved (nothing was changed):\n  " + "\n  ".join(refused))
    return [c for path in files for c in set_fields(path, {"Status": "published"})]


def feature(content: str, files: list[str], on: bool = True) -> list[Change]:
    return [c for path in files for c in set_fields(path, {"Featured": "yes" if on else "no"})]


def retopic(content: str, files: list[str], topics: str, known: set[str]) -> list[Change]:
    slugs = [t.strip() for t in topics.split(",") if t.strip()]
    unknown = [t for t in slugs if t not in known]
    if not slugs or unknown:
        raise DeskError(f"--topics: unknown topic(s) {', '.join(unknown) or '(none given)'}. "
                        f"Fix: use one of: {', '.join(sorted(known))}.")
    return [c for path in files for c in set_fields(path, {"Topics": ", ".join(slugs)})]


def reject(content: str, files: list[str], reason: str | None = None) -> list[Change]:
    """Remove the files; pulled ones get a tombstone in the ledger so no pull brings
    them back."""
    state_dir = os.path.join(content, STATE_DIR)
    changes = []
    with pull_lock(state_dir):
        ledger = Ledger.load(state_dir)
        ledger.replay_journal(content)
        for path in files:
            rel = os.path.relpath(path, content).replace(os.sep, "/")
            key = ledger.files.get(rel)
            if key is not None:
                rec = ledger.records[key]
                rec.state = "rejected"
                rec.note = (reason or "rejected by an editor")[:500]
                ledger.record(key, rec, journal=False)
            os.unlink(path)
            changes.append(Change(path, "(file)", "pulled" if key else "hand-written", None))
        if ledger.dirty:
            ledger.save()
    return changes


# -- reports ---------------------------------------------------------------------------


def age_days(when: dt.datetime, now: dt.datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0, (now - when).days)


def queue_items(context: dict, content: str, now: dt.datetime | None = None,
                brand_terms: list[str] | None = None) -> list[dict]:
    """What waits for review: draft posts grouped by topic then expert, newest first
    within a group; then endorsement candidates, best first (see rank_endorsements)."""
    now = now or dt.datetime.now(dt.UTC)
    items = []
    for post in context["review_queue"]["posts"]:
        items.append({
            "kind": "post", "path": display_path(post.source_path), "title": post.title,
            "topic": post.topics[0].slug, "topics": [t.slug for t in post.topics],
            "expert": post.expert.slug, "source": getattr(post, "original", None),
            "date": post.date.isoformat(), "age_days": age_days(post.date, now),
            "pulled": "feed" in post.metadata,
        })
    order = {t.slug: i for i, t in enumerate(context["topics"])}
    items.sort(key=lambda i: i["date"], reverse=True)
    items.sort(key=lambda i: (order.get(i["topic"], 999), i["expert"] or ""))
    return items + rank_endorsements(context["review_queue"]["endorsements"], now, brand_terms or [])


def rank_endorsements(endorsements, now: dt.datetime, brand_terms: list[str]) -> list[dict]:
    """Endorsements waiting for review, most useful first (README: "Ranking")."""
    from eminence_feeds.mentions import TermMatcher, rank

    brands = TermMatcher(brand_terms)
    items = []
    for e in endorsements:
        quote = plain_text(e.content)
        matched = getattr(e, "matched", None)
        terms = [t.strip() for t in matched.split(",")] if matched else brands.find(quote)
        date = e.date if e.date.tzinfo else e.date.replace(tzinfo=dt.UTC)
        score, why = rank(quote, terms, date, now)
        items.append({
            "kind": "endorsement", "path": display_path(e.source_path), "title": e.title,
            "topic": e.topics[0].slug, "topics": [t.slug for t in e.topics],
            "expert": e.experts[0].slug if e.experts else None, "endorser": e.endorser,
            "source": e.source, "consent": e.consent, "date": e.date.isoformat(),
            "age_days": age_days(e.date, now), "quote": quote, "matched": terms,
            "pulled": "feed" in e.metadata, "score": score, "why": why,
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


def health_report(health: dict, people, context: dict, settings: dict,
                  now: dt.datetime | None = None) -> dict:
    """Everything that needs an editor's action, from the pull's persisted health."""
    from eminence_feeds.pull import stale_flags

    now = now or dt.datetime.now(dt.UTC)
    failing, silent = stale_flags(health, people, settings, now)
    errors = sorted((h.get("expert", "?"), url, h["error"], (h.get("failing_since") or "")[:10])
                    for url, h in health.items() if h.get("error"))
    moved = sorted((h.get("expert", "?"), url, h["moved_to"]) for url, h in health.items()
                   if h.get("moved_to"))
    gone = sorted((h.get("expert", "?"), url) for url, h in health.items() if h.get("gone"))
    months = settings.get("EMINENCE_TOPIC_QUIET_MONTHS", 12)
    quiet_cutoff = now - dt.timedelta(days=30 * months)
    no_expert = [t.slug for t in context["topics"] if not t.active_experts]
    no_endorsement = [t.slug for t in context["topics"]
                      if not any(e.date >= quiet_cutoff for e in t.endorsements)]
    return {"feed_errors": errors, "failing_feeds": failing, "moved": moved, "gone": gone,
            "silent_experts": silent, "topics_without_active_expert": no_expert,
            "topics_without_recent_endorsement": no_endorsement, "quiet_months": months}


def needs_action(report: dict) -> bool:
    return any(report[k] for k in ("failing_feeds", "moved", "gone", "silent_experts",
                                   "topics_without_active_expert", "topics_without_recent_endorsement"))


# -- scaffolds -------------------------------------------------------------------------


def _new_file(content: str, folder: str, title: str, settings: dict) -> tuple[str, str]:
    from pelican.utils import slugify

    slug = slugify(title, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
    if not slug:
        raise DeskError(f"'{title}': cannot make a file name from it; use letters or digits.")
    path = os.path.join(content, folder, f"{slug}.md")
    if os.path.exists(path):
        raise DeskError(f"{display_path(path)} already exists: choose another name or edit it.")
    return slug, path


def new_topic(content: str, title: str, settings: dict, order: int) -> str:
    """Write content/topics/<slug>.md; valid as written, for the editor to refine."""
    _, path = _new_file(content, "topics", title, settings)
    site = settings.get("SITENAME", "us")
    atomic_write(path, (f"Title: {title}\nSummary: What {site} has to say about {title}.\n"
                        f"Keywords: {title.lower()}\nOrder: {order}\n\n"
                        f"Our experts' writing on {title}.\n").encode())
    return path


def new_expert(content: str, name: str, topics: list[str], feeds: list[str], known: dict,
               settings: dict) -> str:
    """Write content/experts/<slug>.md (not trusted: their pulled posts arrive as drafts)."""
    unknown = [t for t in topics if t not in known]
    if not topics or unknown:
        raise DeskError(f"--topics: unknown topic(s) {', '.join(unknown) or '(none given)'}. "
                        f"Fix: use one of: {', '.join(sorted(known))}.")
    _, path = _new_file(content, "experts", name, settings)
    lines = [f"Title: {name}", f"Topics: {', '.join(topics)}"]
    if feeds:
        lines.append(f"Feeds: {', '.join(feeds)}")
    lines += ["Trusted: no", "Status: active"]
    names = ", ".join(known[t] for t in topics)
    atomic_write(path, ("\n".join(lines) + f"\n\n{name} writes about {names}.\n").encode())
    return path


@dataclass
class FeedCheck:
    url: str
    ok: bool
    message: str
    entries: int = 0
    newest: str | None = None
    topics: dict | None = None  # topic slug -> entries matching it


def check_feed(url: str, topic_terms: dict, settings: dict) -> FeedCheck:
    """Fetch a feed once and say what pulling it would bring."""
    from eminence_feeds.fetch import Fetcher
    from eminence_feeds.parse import parse_feed
    from eminence_feeds.pull import setting

    local = os.path.dirname(os.path.normpath(settings["PATH"]))
    with Fetcher("Eminence/0.1 (feed check)", timeout=setting(settings, "EMINENCE_PULL_TIMEOUT"),
                 local_root=local if setting(settings, "EMINENCE_ALLOW_LOCAL_FEEDS") else None) as fetcher:
        result = fetcher.submit(url).result()
    if result.error:
        return FeedCheck(url, False, result.error)
    parsed = parse_feed(result.body, url, result.content_type, topic_terms=topic_terms)
    if not parsed.ok:
        return FeedCheck(url, False, "; ".join(parsed.problems))
    counts: dict = {}
    for entry in parsed.entries:
        for slug in entry.topics:
            counts[slug] = counts.get(slug, 0) + 1
    dates = [e.published for e in parsed.entries if e.published]
    note = ("; ".join(parsed.problems) + "; ") if parsed.problems else ""
    return FeedCheck(url, True, f"{note}a valid feed", len(parsed.entries),
                     max(dates)[:10] if dates else None, counts)

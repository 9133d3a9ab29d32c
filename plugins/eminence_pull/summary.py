"""What a pull reports: its summary (terminal lines, and Markdown for a pull request)
and its progress while it runs."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from eminence_model.markdown_text import code_span, fenced

from .candidates import WatchTally


@dataclass
class Job:
    expert: str  # WATCH for a topic's watch feed
    url: str
    topic: str | None = None  # the topic whose Watch lists the feed

    @property
    def label(self) -> str:
        return f"watch:{self.topic}" if self.topic else self.expert


@dataclass
class Summary:
    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    drafts: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # who, feed, message
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # expert, old, new
    deferred: list[tuple[str, str, str]] = field(default_factory=list)  # who, feed, why
    unmatched: list[str] = field(default_factory=list)  # files filed under a fallback topic
    kept_edits: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    new_posts: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # expert, topics,
    #                                                                    status, title, file
    failing_feeds: list[tuple[str, str, str]] = field(default_factory=list)
    silent_experts: list[tuple[str, str]] = field(default_factory=list)
    # Two entries that became one post: (who, feed, title kept, title merged, why, the kept
    # entry's feed).
    merged: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    # What became of each expert feed's entries: feed URL -> {outcome: count}
    # (new, updated, unchanged, merged, edited/deleted/rejected by an editor, backlog...).
    outcomes: dict[str, Counter] = field(default_factory=dict)
    watch: WatchTally = field(default_factory=WatchTally)
    dry_run: bool = False

    def problem(self, job: Job, message: str) -> None:
        self.problems.append((job.label, job.url, message))

    def count(self, job: Job, outcome: str) -> None:
        self.outcomes.setdefault(job.url, Counter())[outcome] += 1

    def merge(self, job: Job, kept: str, merged: str, why: str, kept_feed: str) -> None:
        self.merged.append((job.label, job.url, kept, merged, why, kept_feed))

    def markdown(self) -> str:
        """The summary as a pull request description (Markdown)."""
        head = 3 if self.watch.feeds else 2
        out = ["## Pull summary", "", *(f"- {line}" for line in self.lines()[:head]), ""]
        if self.new_posts:
            out += ["### New posts", "", "| expert | topics | status | title | file |",
                    "|---|---|---|---|---|"]
            for expert, topics, status, title, rel in sorted(self.new_posts):
                out.append(f"| {expert} | {topics} | {status} | {code_span(title)} | `content/{rel}` |")
            out.append("")
        if self.watch.new_candidates:
            out += ["### New endorsement candidates", "", "| topic | endorser | names | title | file |",
                    "|---|---|---|---|---|"]
            for topic, endorser, terms, title, rel in sorted(self.watch.new_candidates):
                cells = [code_span(c) for c in (endorser, terms, title)]
                out.append(f"| {topic} | {cells[0]} | {cells[1]} | {cells[2]} | `content/{rel}` |")
            out.append("")
        details = self.lines()[head:]
        if details:
            out += ["### Needs attention", "", *fenced(details), ""]
        out.append("Drafts publish when an editor sets `Status: published` (or runs `invoke approve`); "
                   "delete or `invoke reject` what should not appear.")
        return "\n".join(out) + "\n"

    def report(self, seconds: float) -> list[str]:
        """What `invoke pull` prints when it is done."""
        heading = "Dry run (nothing written)" if self.dry_run else "Pull"
        out = [f"{heading} finished in {seconds:.1f} s.", *self.lines()]
        if self.dry_run and self.written:
            out += ["Would write:", *(f"  content/{path}" for path in self.written)]
        return out

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [
            f"Feeds: {self.feeds} — {self.fetched} fetched, {self.not_modified} not modified, "
            f"{self.failed} failed" + (f", {len(self.deferred)} deferred." if self.deferred else "."),
            f"Posts: {self.new} new, {self.updated} updated, {self.skipped} skipped "
            f"({would}{self.drafts} new draft{'s' if self.drafts != 1 else ''} for review).",
            *self.watch.lines(self.dry_run),
        ]
        if self.problems:
            out.append("Problems:")
            out += [f"  {e}  {u}: {m}" for e, u, m in sorted(self.problems)]
        if self.deferred:
            out.append(f"Deferred ({len(self.deferred)}: their host asked us to wait or stopped "
                       "answering; nothing is lost, a later pull fetches them):")
            out += [f"  {e}  {u}: {m}" for e, u, m in sorted(self.deferred)]
        if self.merged:
            out.append("Entries merged into one post (the first one kept; distinct ids never merge):")
            out += [f"  {e}  {u}: {merged!r} into {kept!r} ({why}"
                    + (f", from {other})" if other != u else ")")
                    for e, u, kept, merged, why, other in sorted(self.merged)]
        if self.moved:
            out.append("Feeds moved permanently (update the expert's Feeds):")
            out += [f"  {e}  {old} -> {new}" for e, old, new in sorted(self.moved)]
        if self.kept_edits:
            out.append("Changed upstream but edited here (the editor's version was kept):")
            out += [f"  {f}" for f in sorted(self.kept_edits)]
        if self.unmatched:
            out.append("No topic matched (filed under the expert's first topic; re-topic by hand):")
            out += [f"  {f}" for f in sorted(self.unmatched)]
        if self.failing_feeds:
            out.append("Feeds failing for a long time:")
            out += [f"  {e}  {u}: failing since {s}" for e, u, s in sorted(self.failing_feeds)]
        if self.silent_experts:
            out.append("Experts silent for a long time (consider Status: alumni):")
            out += [f"  {e}: last post {d}" for e, d in sorted(self.silent_experts)]
        return out


def progress_printer(stream=None):
    """A progress bar on a terminal, redrawn at each percent; a line every 10% elsewhere
    (CI logs)."""
    stream = stream or sys.stderr
    terminal = stream.isatty()  # asked once: it is a system call, and a pull reports per feed
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        if not total:
            return
        step = done * (100 if terminal else 10) // total
        if step == state["last"]:
            return
        state["last"] = step
        if terminal:
            width = 30
            filled = int(width * done / total)
            stream.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} feeds")
            if done == total:
                stream.write("\n")
        else:
            stream.write(f"  pulled {done}/{total} feeds\n")
        stream.flush()

    return report

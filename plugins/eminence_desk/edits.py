"""The editor's decisions as edits of content files: approve, feature, re-topic, reject.

Every edit changes exactly the metadata lines concerned; the rest of the file
stays byte for byte as the editor left it. A reject deletes the file and, for a
pulled item, leaves a tombstone in the pull's ledger (under the pull's lock), so
no pull brings it back.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass

from eminence_model.refusals import Refusal
from eminence_model.schema import PUBLIC_CONSENT
from eminence_model.store import atomic_write, header_field, pull_lock, state_dir
from eminence_model.validate import display_path
from eminence_pull.state import Ledger, RecordState


class DeskError(Refusal):
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
    # A byte order mark (some Windows editors write one) is kept, and not taken for part
    # of the first field's name (which made `approve` add a second Status line).
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text[len(bom):].splitlines(keepends=True)
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
        atomic_write(path, (bom + "".join(lines)).encode("utf-8"))
    return changes


# -- which files ---------------------------------------------------------------------


DECIDABLE = ("posts", "endorsements")


def only_decidable(content: str, paths: list[str], kinds: tuple[str, ...] = DECIDABLE) -> None:
    """Decisions are for posts and endorsements: never a topic, an expert, the pull's
    state or a file outside content/ (the desk's form names paths too)."""
    allowed = tuple(os.path.join(os.path.realpath(content), k) + os.sep for k in kinds)
    for path in paths:
        if not os.path.realpath(path).startswith(allowed) or not path.endswith(".md"):
            raise DeskError(f"{display_path(path)}: not a post or endorsement under content/"
                            f"{{{','.join(kinds)}}}/; nothing was changed.")


def targets(content: str, paths: str = "", all_from: str | None = None,
            kinds: tuple[str, ...] = DECIDABLE) -> list[str]:
    """Files named by paths (space- or comma-separated, globs allowed) and/or every
    draft post of an expert (all_from). Only posts and endorsements qualify."""
    content = os.path.realpath(content)
    found: list[str] = []
    # A name that exists as given is one file, spaces and commas included; anything
    # else is split on spaces and commas.
    whole = (paths or "").strip()
    patterns = [whole] if whole and os.path.exists(whole) else [p for p in re.split(r"[,\s]+", whole) if p]
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) or sorted(
            glob.glob(os.path.join(content, pattern), recursive=True))
        if not matches:
            raise DeskError(f"{pattern}: no such file. Give paths like "
                            "content/posts/<expert>/<slug>.md (globs allowed).")
        others = [m for m in matches if not m.endswith(".md")]
        if others and pattern in matches:  # named on its own, not one of a glob's matches
            raise DeskError(f"{display_path(others[0])}: not a Markdown file (.md); nothing was changed.")
        found += [os.path.realpath(m) for m in matches if m.endswith(".md")]
    if all_from:
        folder = os.path.join(content, "posts", all_from)
        if not os.path.isdir(folder):
            raise DeskError(f"--all-from {all_from}: no folder content/posts/{all_from}/.")
        found += [os.path.realpath(p) for p in sorted(glob.glob(os.path.join(folder, "**", "*.md"),
                                                                recursive=True))
                  if (header_field(p, "Status") or "published").lower() == "draft"]
    only_decidable(content, found, kinds)
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
    state = state_dir(content)
    changes = []
    with pull_lock(state):
        ledger = Ledger.load(state)
        ledger.replay_journal(content)
        for path in files:
            rel = os.path.relpath(path, content).replace(os.sep, "/")
            key = ledger.files.get(rel)
            if key is not None:
                rec = ledger.records[key]
                rec.state = RecordState.REJECTED
                rec.note = (reason or "rejected by an editor")[:500]
                ledger.record(key, rec, journal=False)
            os.unlink(path)
            changes.append(Change(path, "(file)", "pulled" if key else "hand-written", None))
        if ledger.dirty:
            ledger.save()
    return changes

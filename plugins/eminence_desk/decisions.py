"""This desk session's decisions, and committing exactly the files they touched.

The desk never pushes: a commit is the editor's own, in their own repository, with a
message listing the decisions; what reaches the site is still what is merged.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from eminence_model.validate import display_path


@dataclass
class Decision:
    action: str  # approve, reject, feature, unfeature, retopic, consent
    files: list[str]  # absolute paths it changed (a rejected file: removed)
    lines: list[str]  # what changed, as the CLI prints it
    note: str = ""  # a reject's reason, the new topics...
    committed: bool = False

    def summary(self) -> str:
        names = ", ".join(display_path(f) for f in self.files)
        return f"{self.action} {names}" + (f" ({self.note})" if self.note else "")


@dataclass
class Session:
    decisions: list[Decision] = field(default_factory=list)

    def add(self, decision: Decision) -> None:
        if decision.files:
            self.decisions.append(decision)

    def pending(self) -> list[Decision]:
        return [d for d in self.decisions if not d.committed]

    def files(self) -> list[str]:
        return sorted({f for d in self.pending() for f in d.files})


def repository(folder: str) -> str | None:
    """The git work tree holding `folder`, or None."""
    try:
        top = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=False)
    except FileNotFoundError:  # no git on this machine
        return None
    return top.stdout.strip() if top.returncode == 0 else None


def commit(session: Session, content: str) -> str:
    """Commit exactly the files this session's uncommitted decisions touched (never
    anything else staged or changed, never a push); returns what happened, in a sentence."""
    repo = repository(content)
    if repo is None:
        raise RuntimeError(f"{display_path(content)} is not in a git repository: nothing to commit.")
    decisions = session.pending()
    if not decisions:
        raise RuntimeError("No decisions to commit.")

    def git(*args):
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=False)

    # Only what git sees changed: a rejected file git never tracked (a pull's, not yet
    # committed) is simply gone, and files the editor committed by hand meanwhile are
    # done; naming either to git would fail the whole commit, every time.
    status = git("status", "--porcelain", "-z", "--untracked-files=all", "--",
                 *[os.path.relpath(f, repo) for f in session.files()])
    changed = sorted({entry[3:] for entry in status.stdout.split("\0") if len(entry) > 3})
    if status.returncode == 0 and not changed:
        for d in decisions:
            d.committed = True
        return ("Nothing left to commit: these decisions' files are already committed "
                "(or were never in git).")
    title = f"Desk: {len(decisions)} decision{'s' if len(decisions) != 1 else ''}"
    message = title + "\n\n" + "\n".join(f"- {d.summary()}" for d in decisions) + "\n"
    # A removed file must be staged as removed; `--only`-style commit of paths keeps
    # whatever else the editor had staged out of this commit.
    files = changed or [os.path.relpath(f, repo) for f in session.files()]
    added = git("add", "--all", "--", *files)
    done = added.returncode == 0 and git("commit", "--quiet", "-m", message, "--", *files)
    if not done or done.returncode != 0:
        why = (added.stderr if added.returncode else done.stderr).strip()
        raise RuntimeError(f"git could not commit: {why or 'unknown error'}")
    for d in decisions:
        d.committed = True
    return f"Committed: {title}. Nothing was pushed."

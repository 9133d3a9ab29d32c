"""Incremental builds: after any kind of edit, output identical to a clean serial build.

The example showcase is built once, then edited step by step. After each edit
an incremental build (same output and cache folders) is compared file by file
with a clean build of the same content that renders everything
(EMINENCE_INCREMENTAL = False, empty output and cache). Pagefind is left out
here (its index is checked in test_browser); everything else Pelican and the
showcase write is compared byte for byte, and stale files must be gone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, runner, settings_for


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = re.sub(rf"(?m)^{field}:.*$", f"{field}: {value}", text, count=1)
    if new == text:  # not there yet: add it to the header
        new = f"{field}: {value}\n{text}"
    path.write_text(new, encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{text}\n")


def _newest_published(content: Path) -> Path:
    posts = [p for p in (content / "posts").rglob("*.md")
             if "Status: draft" not in p.read_text(encoding="utf-8")]
    return max(posts, key=lambda p: re.search(r"(?m)^Date: (.*)$", p.read_text()).group(1))


def _theme_edit(theme: Path) -> None:
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>Edited footer</p></footer>"))


EDITS = {
    "nothing": lambda c, t: None,
    "newest post's body": lambda c, t: _append(_newest_published(c), "A late correction."),
    "old post's body": lambda c, t: _append(c / "posts/hannah-vogel/reliability-culture-is-a-habit.md",
                                             "An added paragraph about *habits*."),
    "post title": lambda c, t: _set_field(c / "posts/daniel-osei/sbom-you-can-use.md", "Title",
                                          "SBOMs people actually read"),
    "draft approved": lambda c, t: _set_field(c / "posts/daniel-osei/draft-quantum-safe-signing.md",
                                              "Status", "published"),
    "post deleted": lambda c, t: (c / "posts/daniel-osei/signing-keys-in-hardware.md").unlink(),
    "new post": lambda c, t: (c / "posts/hannah-vogel/new-note.md").write_text(
        "Title: A new note\nDate: 2026-11-21\nExpert: hannah-vogel\nTopics: grid-reliability\n\n"
        "Fresh words.\n", encoding="utf-8"),
    "expert edited": lambda c, t: _set_field(c / "experts/hannah-vogel.md", "Role",
                                             "Chief Reliability Officer"),
    "topic renamed": lambda c, t: _set_field(c / "topics/security.md", "Title", "Security engineering"),
    "endorsement withdrawn": lambda c, t: _set_field(c / "endorsements/analyst-reliability-culture.md",
                                                     "Consent", "withdrawn"),
    "template edited": lambda c, t: _theme_edit(t),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    shutil.copytree(ROOT / "content", base / "content")
    shutil.copytree(ROOT / "theme", base / "theme")
    shutil.copytree(ROOT / "example-feeds", base / "example-feeds")  # the experts' Feeds
    return base


def _build(base: Path, name: str, incremental: bool):
    output = base / name / "output"
    settings = settings_for(base / "content", output, THEME=str(base / "theme"), EMINENCE_SEARCH=False,
                            EMINENCE_INCREMENTAL=incremental, EMINENCE_FATAL_WARNINGS=False)
    runner.build(settings)
    return output, settings["_EMINENCE_OUTPUT"]


def test_first_incremental_build_equals_a_clean_one(workspace):
    output, writer = _build(workspace, "incremental", True)
    clean, _ = _build(workspace, "clean-first", False)
    assert writer.skipped == 0 and writer.rendered > 50
    assert _tree(output) == _tree(clean)


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_each_edit_incremental_equals_clean(workspace, edit):
    # Edits accumulate in order (the module's tests run in order): a realistic session.
    EDITS[edit](workspace / "content", workspace / "theme")
    output, writer = _build(workspace, "incremental", True)
    clean_dir = workspace / f"clean-{edit.replace(' ', '-')}"
    clean, _ = _build(workspace, clean_dir.name, False)
    got, want = _tree(output), _tree(clean)
    assert sorted(set(got) ^ set(want)) == [], "stale or missing files"
    differ = [rel for rel in want if got[rel] != want[rel]]
    assert differ == [], f"pages not refreshed after '{edit}'"
    shutil.rmtree(clean_dir)
    if edit == "nothing":
        assert writer.rendered == 0 and writer.changed == set()
    if edit in ("newest post's body", "old post's body"):
        # Only that post's page and the lists it is on are rendered again.
        assert 0 < writer.rendered < writer.skipped
        assert len(writer.changed) < 15
    if edit == "post deleted":
        assert not list(output.rglob("signing-keys-in-hardware"))

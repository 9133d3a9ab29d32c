"""eminence_showcase.fingerprint.walk: the fast walk lists what os.walk lists, in its order
(the digests of the content, the theme and the output depend on both)."""

from __future__ import annotations

import os

from eminence_showcase.fingerprint import walk


def os_walk(folder: str) -> list[tuple[str, bool]]:
    """The slow code walk() replaced: os.walk top-down, names sorted, paths by relpath."""
    out = []
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        out += [(os.path.relpath(os.path.join(base, f), folder), False) for f in sorted(files)]
        # os.walk enters a folder after listing its parent's files; walk() names it first.
        out += [(os.path.relpath(os.path.join(base, d), folder), True) for d in dirs]
    return out


def test_walk_lists_what_os_walk_lists_in_its_order(tmp_path):
    for rel in ("b.md", "a.md", "Z.md", "posts/x/2.md", "posts/x/10.md", "posts/a b/é.md",
                "images/logo.svg", "empty/", ".hidden/file", "posts/x/deeper/last.md"):
        path = tmp_path / rel
        if rel.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rel)
    (tmp_path / "link-to-file.md").symlink_to(tmp_path / "a.md")
    (tmp_path / "link-to-folder").symlink_to(tmp_path / "posts")  # listed, not entered
    (tmp_path / "broken-link").symlink_to(tmp_path / "nowhere")
    fast = list(walk(str(tmp_path)))
    slow = os_walk(str(tmp_path))
    assert sorted(fast) == sorted(slow)
    files = [rel for rel, is_dir in fast if not is_dir]
    assert files == [rel for rel, is_dir in slow if not is_dir]  # the order the digests hash in
    assert ("link-to-folder", True) in fast and not any(r.startswith("link-to-folder/") for r, _ in fast)


def test_a_missing_folder_lists_nothing(tmp_path):
    assert list(walk(str(tmp_path / "missing"))) == []

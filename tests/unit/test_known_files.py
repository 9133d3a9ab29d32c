"""eminence_showcase.known_files: what is known by stat is what reading and listing
everything gives (the slow code it replaces), and nothing racy is trusted."""

from __future__ import annotations

import os
import shutil

import pytest

from eminence_showcase import known_files
from eminence_showcase.fingerprint import tree_digest, walk
from eminence_showcase.known_files import file_digests, listing, same_listing


def make_tree(root) -> None:
    for rel in ("a.md", "posts/x/1.md", "posts/x/2.md", "posts/y/3.md", "images/logo.svg", "empty/"):
        path = root / rel
        if rel.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"the text of {rel}\n")


@pytest.fixture
def later(monkeypatch):
    """Move the clock on: what was written now is settled for what reads it then."""
    real = known_files.now_ns

    def move(seconds: float = 10) -> None:
        monkeypatch.setattr(known_files, "now_ns", lambda: real() + int(seconds * 1e9))

    return move


@pytest.fixture
def reads(monkeypatch):
    """The files read, in order, by their path."""
    seen: list[str] = []
    real = known_files.read_digest

    def counting(path: str) -> bytes:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(known_files, "read_digest", counting)
    return seen


def test_known_digests_are_what_reading_every_byte_gives(tmp_path, later):
    root, record = tmp_path / "content", str(tmp_path / "cache" / "files.pickle")
    make_tree(root)
    later()
    assert tree_digest(str(root), file_digests(record)) == tree_digest(str(root))
    edits = [
        lambda: (root / "b.md").write_text("a new file\n"),
        lambda: (root / "posts" / "x" / "1.md").unlink(),
        lambda: (root / "posts" / "y" / "3.md").rename(root / "posts" / "y" / "4.md"),
        lambda: shutil.rmtree(root / "images"),
    ]
    for edit in edits:
        edit()
        later(20 + len(edits))
        assert tree_digest(str(root), file_digests(record)) == tree_digest(str(root))


def test_an_edit_that_restores_the_size_and_the_time_is_still_seen(tmp_path, later):
    root, record = tmp_path / "content", str(tmp_path / "files.pickle")
    make_tree(root)
    post = root / "posts" / "x" / "2.md"
    before = post.stat()
    later()
    first = tree_digest(str(root), file_digests(record))
    post.write_text(post.read_text().replace("text", "TEXT"))  # same size
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    assert post.stat().st_size == before.st_size and post.stat().st_mtime_ns == before.st_mtime_ns
    later(20)
    again = tree_digest(str(root), file_digests(record))
    assert again != first and again == tree_digest(str(root))


def test_a_settled_file_is_not_read_again(tmp_path, later, reads):
    root, record = tmp_path / "content", str(tmp_path / "files.pickle")
    make_tree(root)
    later()
    tree_digest(str(root), file_digests(record))
    assert len(reads) == 5
    reads.clear()
    (root / "a.md").write_text("edited\n")
    later(20)
    tree_digest(str(root), file_digests(record))
    assert reads == [str(root / "a.md")]


def test_a_file_younger_than_the_clock_can_tell_is_read_again(tmp_path, reads):
    """Racy: changed again in the same tick, it would keep its stat."""
    root, record = tmp_path / "content", str(tmp_path / "files.pickle")
    make_tree(root)
    for _ in range(2):
        tree_digest(str(root), file_digests(record))
    assert len(reads) == 10
    assert known_files.load(record) is None  # nothing settled: nothing worth saving


@pytest.mark.parametrize("saved", [b"", b"not a pickle", None])
def test_an_unreadable_record_is_ignored(tmp_path, later, saved):
    root, record = tmp_path / "content", tmp_path / "files.pickle"
    make_tree(root)
    if saved is None:  # another format's record
        known_files.save(str(record), files={"a.md": b"stamp and digest"})
        record.write_bytes(record.read_bytes().replace(b"format", b"formal"))
    else:
        record.write_bytes(saved)
    later()
    assert tree_digest(str(root), file_digests(str(record))) == tree_digest(str(root))


def names_under(folder) -> set[str]:
    """The slow code same_listing replaces: every entry under the folder, by a walk."""
    return {rel + "/" if is_dir else rel for rel, is_dir in walk(str(folder))}


OUTPUT_CHANGES = {
    "nothing": lambda out: None,
    "a page deleted": lambda out: (out / "posts" / "x" / "1.md").unlink(),
    "a page added": lambda out: (out / "posts" / "y" / "new.html").write_text("new"),
    "a page rewritten": lambda out: (out / "posts" / "y" / "3.md").write_text("other bytes"),
    "a page replaced": lambda out: ((out / "a.md").unlink(), (out / "a.md").write_text("again")),
    "a folder added": lambda out: (out / "posts" / "x" / "staging").mkdir(),
    "a folder removed": lambda out: shutil.rmtree(out / "posts" / "y"),
    "the empty folder filled": lambda out: (out / "empty" / "f").write_text(""),
    "a file became a folder": lambda out: ((out / "a.md").unlink(), (out / "a.md").mkdir()),
    "emptied": lambda out: (shutil.rmtree(out), out.mkdir()),
    "removed": lambda out: shutil.rmtree(out),
}


@pytest.mark.parametrize("settled", [True, False], ids=["settled", "racy"])
@pytest.mark.parametrize("change", OUTPUT_CHANGES)
def test_a_listing_by_stat_says_what_a_walk_says(tmp_path, later, change, settled):
    out = tmp_path / "out"
    make_tree(out)
    if settled:
        later()
    recorded, before = listing(str(out)), names_under(out)
    assert all((len(entry) > 20) == settled for entry in recorded.values())
    OUTPUT_CHANGES[change](out)
    later(30)
    same, _ = same_listing(str(out), recorded)
    assert same == (out.is_dir() and names_under(out) == before)


def test_a_folder_listed_again_is_known_by_its_stat_once_settled(tmp_path, later):
    out = tmp_path / "out"
    make_tree(out)
    recorded = listing(str(out))  # written just now: every folder racy
    assert same_listing(str(out), recorded) == (True, False)  # still racy: nothing to refresh
    later()
    assert same_listing(str(out), recorded) == (True, True)
    assert all(len(entry) > 20 for entry in recorded.values())
    assert same_listing(str(out), recorded) == (True, False)


def test_a_missing_folder_has_no_listing(tmp_path):
    assert listing(str(tmp_path / "missing")) == {}
    assert same_listing(str(tmp_path / "missing"), {}) == (False, False)


def content_digests(root, cache):
    from eminence_showcase.fingerprint import ContentDigests

    found = ContentDigests({"PATH": str(root), "ARTICLE_PATHS": ["posts"], "CACHE_PATH": str(cache)})
    return found.full, found.links, found.content, found.assets


def test_a_pages_fingerprint_facts_known_by_stat_are_what_reading_gives(tmp_path, later, monkeypatch):
    """fingerprint.ContentDigests reads only the files whose stat moved, and finds what a
    build with no record finds."""
    from eminence_showcase import fingerprint

    root = tmp_path / "content"
    make_tree(root)
    (root / "posts" / "x" / "links.md").write_text("Title: L\n\nSee [it]({filename}/a.md).\n")
    (root / "posts" / "y" / "image.md").write_text("Title: I\n\n![chart]({static}/images/logo.svg)\n")
    later()
    assert content_digests(root, tmp_path / "kept") == content_digests(root, tmp_path / "new-0")
    read = []
    real = fingerprint.content_facts
    monkeypatch.setattr(fingerprint, "content_facts", lambda rel, *rest: read.append(rel) or real(rel, *rest))
    post = root / "posts" / "x" / "1.md"
    before = post.stat()
    post.write_text(post.read_text().replace("text", "TEXT"))  # same size, time set back
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    (root / "posts" / "y" / "image.md").write_text("Title: I\n\nNo image now.\n")
    (root / "images" / "chart.svg").write_text("<svg/>")
    (root / "posts" / "y" / "3.md").unlink()
    later(20)
    kept = content_digests(root, tmp_path / "kept")
    assert sorted(read) == ["images/chart.svg", "posts/x/1.md", "posts/y/image.md"]
    assert kept == content_digests(root, tmp_path / "new-1")

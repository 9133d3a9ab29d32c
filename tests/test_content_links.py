"""A symbolic link under content/ must never publish a file from outside it (in CI, a
pull request with such a link would publish the runner's files: a checkout's
.git/config holds the job's token)."""

from __future__ import annotations

import os

import pytest

from eminence_model import ContentError
from helpers import build, check, write

SECRET = "token=ghs_0123456789 (a file outside the content folder)"


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "elsewhere"
    write(folder, "secret.md", f"Title: Leak\nDate: 2026-01-01\nExpert: ada\nTopics: ai\n\n{SECRET}\n")
    write(folder, "notes/leak.md", f"Title: Leak 2\nDate: 2026-01-01\nExpert: ada\nTopics: ai\n\n{SECRET}\n")
    write(folder, "passwd.svg", SECRET)
    return folder


def refused(content, tmp_path, link: str) -> str:
    with pytest.raises(ContentError) as info:
        check(content)
    messages = [str(p) for p in info.value.problems]
    mine = [m for m in messages if m.startswith(os.path.join("content", link) + ": (file): is a link to ")]
    assert mine and "outside the content folder" in mine[0] and "Fix: " in mine[0], messages
    out = tmp_path / "out"
    with pytest.raises(ContentError):
        build(content, out)
    assert not out.exists() or not any(SECRET in p.read_text(errors="replace") for p in out.rglob("*")
                                       if p.is_file())
    return mine[0]


def test_a_linked_post_file_outside_content_is_refused(small_site, tmp_path, outside):
    os.symlink(outside / "secret.md", small_site / "posts" / "ada" / "linked.md")
    refused(small_site, tmp_path, "posts/ada/linked.md")


def test_a_linked_folder_outside_content_is_refused(small_site, tmp_path, outside):
    os.symlink(outside / "notes", small_site / "posts" / "ada" / "notes")
    refused(small_site, tmp_path, "posts/ada/notes")


def test_a_linked_static_file_and_avatar_are_refused(small_site, tmp_path, outside):
    (small_site / "images").mkdir()
    os.symlink(outside / "passwd.svg", small_site / "images" / "x.svg")
    expert = small_site / "experts" / "ada.md"
    expert.write_text(expert.read_text().replace("Trusted: yes", "Trusted: yes\nAvatar: images/x.svg"))
    message = refused(small_site, tmp_path, "images/x.svg")
    with pytest.raises(ContentError, match="Avatar: 'images/x.svg' is neither"):
        check(small_site)
    assert str(outside / "passwd.svg") in message


def test_a_link_within_content_is_fine(small_site, tmp_path):
    (small_site / "images").mkdir()
    write(small_site, "images/real.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    os.symlink(small_site / "images" / "real.svg", small_site / "images" / "alias.svg")
    check(small_site)

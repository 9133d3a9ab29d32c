"""What editors really type: a typo, a habit from Jekyll or Hugo, a stray space, must
stop the build with the file, the field and the fix; never publish a draft."""

from __future__ import annotations

import os

import pytest

from eminence_model import ContentError
from helpers import build, check

DRAFT = "posts/ada/second.md"


def draft_with(content, header: str, body: str = "Secret plans.\n"):
    path = content / DRAFT
    path.write_text(header + "\n\n" + body, encoding="utf-8")
    return path


def problems(content) -> list[str]:
    with pytest.raises(ContentError) as info:
        check(content)
    return [str(p) for p in info.value.problems]


def assert_not_published(content, tmp_path, header: str):
    draft_with(content, header)
    out = tmp_path / "out"
    with pytest.raises(ContentError):
        build(content, out)
    assert not out.exists() or not any("Secret plans" in p.read_text() for p in out.rglob("*.html"))


BASE = "Title: Second post\nDate: 2026-02-01\nExpert: ada\nTopics: ai, security"


def test_a_misspelled_key_is_an_error_with_the_nearest_field(small_site, tmp_path):
    draft_with(small_site, BASE + "\nStauts: draft")
    found, = problems(small_site)
    assert found.startswith(f"{os.path.join('content', DRAFT)}: Stauts: unknown field (line 5). "
                            "Did you mean 'Status'? Fix: correct its name (")
    assert "or declare it in EMINENCE_EXTRA_METADATA." in found
    assert_not_published(small_site, tmp_path, BASE + "\nStauts: draft")


@pytest.mark.parametrize("line", ["Status : draft", "Status\t: draft", "Status = draft", "status :draft"])
def test_a_malformed_metadata_line_is_an_error_not_body_text(small_site, tmp_path, line):
    draft_with(small_site, BASE + "\n" + line)
    found = problems(small_site)
    assert len(found) == 1 and found[0].startswith(f"{os.path.join('content', DRAFT)}: Status: line 5 ")
    assert "not a 'Key: value' line" in found[0] and "Fix: write it as 'Key: value'" in found[0]
    assert_not_published(small_site, tmp_path, BASE + "\n" + line)


def test_front_matter_in_the_jekyll_form_is_refused_with_how_to_convert(small_site, tmp_path):
    header = '---\ntitle: "Second post"\ndate: 2026-02-01\nexpert: ada\ntopics: ai\ndraft: true\n---'
    draft_with(small_site, header)
    found = problems(small_site)
    assert any(p.startswith(f"{os.path.join('content', DRAFT)}: (file): starts with front matter")
               and "'Status: draft' for 'draft: true'" in p for p in found), found
    assert_not_published(small_site, tmp_path, header)


def test_a_key_given_twice_is_caught_by_check_with_the_right_fix(small_site):
    draft_with(small_site, BASE + "\nStatus: published\nStatus: draft")
    found = problems(small_site)
    assert f"{os.path.join('content', DRAFT)}: Status: is given twice (lines 5 and 6). " \
           "Fix: keep one 'Status:' line." in found


@pytest.mark.parametrize(("text", "what"), [
    ("", "is empty"),
    ("\nTitle: Second post\nExpert: ada\n\nBody.\n", "starts with a blank line"),
    ("Just some text pasted from an e-mail.\n", "has no metadata lines at the top"),
])
def test_a_file_without_a_metadata_block_is_named(small_site, text, what):
    (small_site / DRAFT).write_text(text, encoding="utf-8")
    found = problems(small_site)
    assert f"{os.path.join('content', DRAFT)}: (file): {what}" in "\n".join(found), found


def test_a_topic_with_an_unknown_key_is_reported_by_the_pull_and_desk_reader(small_site):
    from eminence_model.sources import read_people
    from helpers import settings_for

    path = small_site / "topics" / "ai.md"
    path.write_text(path.read_text().replace("Order: 1", "Ordre: 1"))
    with pytest.raises(ContentError, match="Ordre: unknown field .*Did you mean 'Order'"):
        read_people(settings_for(small_site, small_site.parent / "out"))


def test_settings_may_declare_extra_fields_and_pelican_fields_are_known(small_site):
    draft_with(small_site, BASE + "\nStatus: draft\nTags: grid, ops\nSummary: Short.\nReviewer: Kim")
    with pytest.raises(ContentError, match="Reviewer: unknown field"):
        check(small_site)
    check(small_site, EMINENCE_EXTRA_METADATA=["Reviewer"])


def test_an_invisible_control_character_is_removed_before_any_page_is_written(small_site, tmp_path):
    # A vertical tab pasted from Word: XML cannot carry it, and the Atom writer stopped
    # the build after the HTML pages were written.
    draft_with(small_site, BASE.replace("Second post", "Second\x0bpost") + "\nStatus: published",
               "Body with a\x0bvertical tab.\n")
    build(small_site, tmp_path / "out")
    page = (tmp_path / "out" / "posts" / "ada" / "second" / "index.html").read_text()
    assert "Secondpost" in page and "Body with avertical tab." in page and "\x0b" not in page
    feed = (tmp_path / "out" / "feeds" / "experts" / "ada.atom.xml").read_text()
    assert "Secondpost" in feed and "\x0b" not in feed


def test_a_broken_ipv6_url_is_a_problem_with_its_file_and_field(small_site):
    path = small_site / "experts" / "ada.md"
    path.write_text(path.read_text().replace("Links: https://ada.example.com/", "Links: http://[::1"))
    found = problems(small_site)
    assert any(p.startswith(os.path.join("content", "experts", "ada.md") + ": Links: ") for p in found), found


@pytest.mark.parametrize("blank", ["\u00a0", "\u2028", "\t", " \u00a0 "])
def test_a_line_that_only_looks_blank_never_publishes_the_draft_below_it(small_site, tmp_path, blank):
    header = BASE + f"\n{blank}\nStatus: draft"
    assert_not_published(small_site, tmp_path, header)
    found = problems(small_site)
    assert any("Status: line 5 looks blank but holds invisible characters (U+" in p
               and "'Status: draft' after it would be published as text" in p for p in found), found


def test_an_empty_status_is_said_to_be_empty(small_site, tmp_path):
    assert_not_published(small_site, tmp_path, BASE + "\nStatus:")
    assert problems(small_site) == [
        f"content/{DRAFT}: Status: is empty (line 5), which reads as not given. "
        "Fix: write draft or published, or delete the line."]


def test_a_look_alike_letter_is_named(small_site):
    draft_with(small_site, BASE + "\nStatus: dr\u0430ft")  # Cyrillic а
    assert any("'drаft' (its \"а\" is U+0430 CYRILLIC SMALL LETTER A: retype it) is not allowed" in p
               for p in problems(small_site))

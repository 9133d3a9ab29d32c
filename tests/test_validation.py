"""Bad editor input stops the build with the file, the field and the fix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from eminence_model import ContentError
from helpers import build, check, example_project, write


def problems_of(content) -> list[str]:
    with pytest.raises(ContentError) as info:
        check(content)
    return [str(p) for p in info.value.problems]


def edit(content, rel, old, new):
    path = content / rel
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def only_problem(content, rel, field):
    found = problems_of(content)
    assert len(found) == 1, found
    msg = found[0]
    assert msg.startswith(os.path.join("content", rel) + ": " + field + ": "), msg
    assert " Fix: " in msg
    return msg


def test_small_site_is_valid(small_site):
    model = check(small_site)
    assert [t.slug for t in model.topics] == ["ai", "security"]


def test_missing_required_field(small_site):
    edit(small_site, "experts/ada.md", "Topics: ai, security\n", "")
    msg = only_problem(small_site, "experts/ada.md", "Topics")
    assert "is missing" in msg and "Topics: ..." in msg


def test_missing_summary_on_topic(small_site):
    edit(small_site, "topics/security.md", "Summary: Defending infrastructure.\n", "")
    only_problem(small_site, "topics/security.md", "Summary")


def test_post_missing_date_is_reported_with_its_field(small_site):
    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01\n", "")
    only_problem(small_site, "posts/ada/first.md", "Date")


def test_unknown_topic(small_site):
    edit(small_site, "posts/ada/second.md", "Topics: ai, security", "Topics: ai, cloud")
    msg = only_problem(small_site, "posts/ada/second.md", "Topics")
    assert "unknown topic 'cloud'" in msg and "ai, security" in msg
    assert "content/topics/cloud.md" in msg


@pytest.mark.parametrize(("field", "value", "said"), [
    ("Kind", "podcast", "'podcast' is not allowed. Fix: write article, note, video or episode."),
    ("Duration", "42 minutes", "'42 minutes' is not a running time. Fix: write a running time such as "
                               "42:10 or 1:02:03."),
    ("Media", "gridside-12.mp3", "'gridside-12.mp3' is not a valid http(s) URL."),
])
def test_a_kind_field_typo_names_the_field_and_the_fix(small_site, field, value, said):
    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01\n", f"Date: 2026-01-01\n{field}: {value}\n")
    assert said in only_problem(small_site, "posts/ada/first.md", field)


@pytest.mark.parametrize(("kind", "needs"), [("episode", "its audio"), ("video", "where it plays")])
def test_an_episode_or_video_without_its_media_says_what_to_add(small_site, kind, needs):
    edit(small_site, "posts/ada/first.md", "Original: https://ada.example.com/first/\n", "")
    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01\n", f"Date: 2026-01-01\nKind: {kind}\n")
    msg = only_problem(small_site, "posts/ada/first.md", "Media")
    assert needs in msg and "add 'Media: <the https URL" in msg
    edit(small_site, "posts/ada/first.md", f"Kind: {kind}\n",
         f"Kind: {kind}\nMedia: https://cdn.example.com/first.mp3\nDuration: 1:02:03\n")
    assert [p.kind for p in check(small_site).posts if p.slug == "first"] == [kind]


def test_unknown_expert(small_site):
    edit(small_site, "endorsements/good.md", "Experts: ada", "Experts: ada, zed")
    msg = only_problem(small_site, "endorsements/good.md", "Experts")
    assert "unknown expert 'zed'" in msg


def test_post_expert_must_exist_and_match_its_folder(small_site):
    edit(small_site, "posts/ada/first.md", "Expert: ada", "Expert: bob")
    msg = only_problem(small_site, "posts/ada/first.md", "Expert")
    assert "posts/ada/" in msg and "content/posts/bob/" in msg


def test_duplicate_slug(small_site):
    write(small_site, "posts/ada/2026/first.md", """
        Title: Another first
        Date: 2026-03-01
        Expert: ada
        Topics: ai

        Same slug, other folder.
        """)
    msg = only_problem(small_site, "posts/ada/first.md", "Slug").replace("\\", "/")
    assert "'first' is already used by content/posts/ada/2026/first.md" in msg


def test_duplicate_topic_slug_via_slug_field(small_site):
    edit(small_site, "topics/security.md", "Title: Security\n", "Title: Security\nSlug: ai\n")
    found = problems_of(small_site)
    assert any("Slug: 'ai' is already used by" in p for p in found), found


def test_reserved_slug(small_site):
    write(small_site, "experts/topic.md", "Title: Topic Person\nTopics: ai\n\nBio.\n")
    only_problem(small_site, "experts/topic.md", "Slug")


def test_unparseable_date_in_post(small_site):
    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01", "Date: the first of never")
    msg = only_problem(small_site, "posts/ada/first.md", "Date")
    assert "'the first of never' is not a date" in msg


def test_a_date_in_the_future_is_refused_with_the_fix(small_site):
    """Date: 2099-01-01 was published without a word and moved every chart to 2097-2099."""
    import datetime

    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01", "Date: 2099-01-01")
    msg = only_problem(small_site, "posts/ada/first.md", "Date")
    assert "'2099-01-01' is in the future" in msg and "today at the latest" in msg
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)  # still today somewhere
    edit(small_site, "posts/ada/first.md", "Date: 2099-01-01", f"Date: {tomorrow}")
    check(small_site)


def test_unparseable_date_in_endorsement(small_site):
    edit(small_site, "endorsements/good.md", "Date: 2026-01-05", "Date: 2026-13-45")
    only_problem(small_site, "endorsements/good.md", "Date")


def test_published_endorsement_with_pending_consent(small_site):
    edit(small_site, "endorsements/good.md", "Consent: public", "Consent: pending")
    msg = only_problem(small_site, "endorsements/good.md", "Consent")
    assert "pending" in msg and "Status: draft" in msg


def test_draft_endorsement_with_pending_consent_is_fine(small_site):
    edit(small_site, "endorsements/good.md", "Consent: public", "Consent: pending")
    edit(small_site, "endorsements/good.md", "Status: published", "Status: draft")
    check(small_site)


def test_endorsement_without_source(small_site):
    edit(small_site, "endorsements/good.md", "Source: https://customer.example.org/post\n", "")
    only_problem(small_site, "endorsements/good.md", "Source")


@pytest.mark.parametrize("rel,old,new,field", [
    ("endorsements/good.md", "Source: https://customer.example.org/post",
     "Source: customer.example.org/post", "Source"),
    ("posts/ada/first.md", "Original: https://ada.example.com/first/",
     "Original: javascript:alert(1)", "Original"),
    ("experts/ada.md", "Links: https://ada.example.com/", "Links: https://ok.example.com/, ht tp://x",
     "Links"),
])
def test_malformed_url(small_site, rel, old, new, field):
    edit(small_site, rel, old, new)
    msg = only_problem(small_site, rel, field)
    assert "is not a valid http(s) URL" in msg


def test_bad_choice_and_yes_no(small_site):
    edit(small_site, "experts/bob.md", "Status: alumni", "Status: retired")
    edit(small_site, "experts/ada.md", "Trusted: yes", "Trusted: maybe")
    found = problems_of(small_site)
    assert len(found) == 2
    assert any(p.startswith(os.path.join("content", "experts", "bob.md") + ": Status:")
               for p in found)
    assert any("Trusted: 'maybe' is not yes or no" in p for p in found)


def test_avatar_must_exist_under_content(small_site):
    edit(small_site, "experts/ada.md", "Trusted: yes", "Trusted: yes\nAvatar: ../../etc/passwd")
    only_problem(small_site, "experts/ada.md", "Avatar")


def test_all_problems_are_reported_in_one_run(small_site):
    edit(small_site, "experts/ada.md", "Topics: ai, security", "Topics: nope")
    edit(small_site, "posts/ada/first.md", "Date: 2026-01-01", "Date: soon")
    edit(small_site, "endorsements/good.md", "Consent: public", "Consent: pending")
    found = problems_of(small_site)
    fields = sorted(p.split(": ")[1] for p in found)
    assert fields == ["Consent", "Date", "Topics"], found


def test_failed_build_keeps_the_previous_output(tmp_path, small_site):
    out = tmp_path / "out"
    build(small_site, out)
    assert (out / "index.html").is_file()
    edit(small_site, "posts/ada/first.md", "Topics: ai", "Topics: nowhere")
    with pytest.raises(ContentError):
        build(small_site, out)
    assert (out / "index.html").is_file(), "invalid content must not wipe the last good build"


def test_invoke_check_and_build_fail_with_the_message(tmp_path):
    """The editor's real commands: a broken copy of the example content."""
    project = tmp_path / "project"
    pristine = example_project(tmp_path / "pristine")
    example_project(project)
    edit(project / "content", "posts/ines-okafor/drift-is-a-calendar-problem.md",
         "Topics: applied-ai", "Topics: applied-ai, quantum")
    for task in ("check", "build"):
        run = subprocess.run([sys.executable, "-m", "invoke", task], cwd=project,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 1, run.stdout + run.stderr
        expected = ("content/posts/ines-okafor/drift-is-a-calendar-problem.md: Topics: "
                    "unknown topic 'quantum'")
        assert expected in run.stderr.replace("\\", "/"), run.stderr
        assert "Traceback" not in run.stderr
    assert not (project / "output").exists()
    ok = subprocess.run([sys.executable, "-m", "invoke", "check"], cwd=pristine,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "Content is valid" in ok.stdout, ok.stdout + ok.stderr


def test_pelican_warnings_about_broken_content_fail_the_build(small_site, tmp_path):
    from eminence_showcase.runner import BuildWarnings

    write(small_site, "posts/ada/links.md", """
        Title: Links
        Date: 2026-03-01
        Expert: ada
        Topics: ai

        See [the other post]({filename}/posts/ada/missing.md).
        """)
    with pytest.raises(BuildWarnings) as info:
        build(small_site, tmp_path / "out")
    (message,) = info.value.messages
    assert message.startswith(os.path.join("content", "posts", "ada", "links.md") + ": ")
    assert "Unable to find '/posts/ada/missing.md'" in message and "Fix:" in message
    (small_site / "posts/ada/links.md").write_text(
        (small_site / "posts/ada/links.md").read_text().replace("missing.md", "first.md"))
    build(small_site, tmp_path / "out")  # fixed: builds cleanly


def test_a_withdrawal_warning_does_not_fail_the_build(small_site, tmp_path):
    path = small_site / "endorsements" / "good.md"
    path.write_text(path.read_text().replace("Consent: public", "Consent: withdrawn"))
    build(small_site, tmp_path / "out")  # Eminence's own takedown notice is not fatal


def test_two_experts_may_use_the_same_slug(small_site, tmp_path):
    write(small_site, "posts/bob/first.md", "Title: Bob's first\nDate: 2020-03-01\nExpert: bob\n"
                                            "Topics: security\n\nBody.\n")
    out = tmp_path / "out"
    build(small_site, out)  # no duplicate-translation warning: both posts are built
    assert (out / "posts/ada/first/index.html").is_file() and (out / "posts/bob/first/index.html").is_file()

"""The editor's desk: exact metadata edits, tombstones, the queue, the health report."""

from __future__ import annotations

import json

import pytest

from eminence_desk import DeskError, approve, feature, reject, retopic, set_fields, targets
from feedserver import Response, atom, one_entry
from helpers import invoke, write


def test_set_fields_changes_only_those_lines(tmp_path):
    text = ("Title: A post\r\nDate: 2026-01-01\r\nStatus:   draft\r\nTopics: ai\r\n\r\n"
            "Body with Status: draft in it.\r\n\r\nMore   spacing  kept.\r\n")
    path = write(tmp_path, "post.md", "")
    path.write_bytes(text.encode())
    changes = set_fields(str(path), {"Status": "published", "Featured": "yes"})
    assert [(c.field, c.old, c.new) for c in changes] == [("Status", "draft", "published"),
                                                          ("Featured", None, "yes")]
    assert path.read_bytes().decode() == text.replace("Status:   draft\r\n", "Status: published\r\n") \
        .replace("Topics: ai\r\n\r\n", "Topics: ai\r\nFeatured: yes\r\n\r\n")
    assert set_fields(str(path), {"Status": "published"}) == []  # already so: no rewrite


def test_set_fields_on_a_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "post.md"
    path.write_bytes("\ufeffStatus: draft\nTitle: A post\n\nBody.\n".encode())
    changes = set_fields(str(path), {"Status": "published"})
    assert [(c.old, c.new) for c in changes] == [("draft", "published")]
    assert path.read_bytes().decode() == "\ufeffStatus: published\nTitle: A post\n\nBody.\n"


def test_targets_take_a_name_with_spaces_whole_and_refuse_what_is_not_markdown(small_site):
    spaced = write(small_site, "posts/ada/my draft.md", "Title: D\nDate: 2026-03-01\nExpert: ada\n"
                                                        "Topics: ai\nStatus: draft\n\nx\n")
    assert targets(str(small_site), str(spaced)) == [str(spaced.resolve())]
    image = write(small_site, "posts/ada/chart.png", "not markdown")
    with pytest.raises(DeskError, match=r"chart.png: not a Markdown file \(.md\); nothing was changed"):
        targets(str(small_site), f"{spaced}, {image}".replace(" draft", "*draft"))


def test_approve_feature_retopic_on_files(small_site):
    draft = write(small_site, "posts/ada/draft.md",
                  "Title: Draft\nDate: 2026-03-01\nExpert: ada\nTopics: ai\nStatus: draft\n\nBody.\n")
    files = targets(str(small_site), str(draft))
    assert [str(c).split(": ", 1)[1] for c in approve(str(small_site), files)] == [
        "Status: draft -> published"]
    feature(str(small_site), files)
    retopic(str(small_site), files, "security, ai", {"ai", "security"})
    head = draft.read_text().split("\n\n")[0].splitlines()
    assert head == ["Title: Draft", "Date: 2026-03-01", "Expert: ada", "Topics: security, ai",
                    "Status: published", "Featured: yes"]
    with pytest.raises(DeskError, match="unknown topic"):
        retopic(str(small_site), files, "cloud", {"ai", "security"})


def test_endorsement_needs_consent_to_be_approved(small_site):
    path = small_site / "endorsements" / "good.md"
    path.write_text(path.read_text().replace("Consent: public", "Consent: pending")
                    .replace("Status: published", "Status: draft"))
    before = path.read_text()
    with pytest.raises(DeskError, match="Consent: 'pending'"):
        approve(str(small_site), targets(str(small_site), str(path)))
    assert path.read_text() == before


def test_targets_globs_all_from_and_refusals(small_site):
    write(small_site, "posts/ada/d1.md", "Title: D1\nDate: 2026-03-01\nExpert: ada\nTopics: ai\n"
                                         "Status: draft\n\nx\n")
    all_from = targets(str(small_site), all_from="ada")
    assert [p.rsplit("/", 1)[1] for p in all_from] == ["d1.md"]  # drafts only
    globbed = targets(str(small_site), str(small_site / "posts" / "ada" / "*.md"))
    assert len(globbed) == 3
    with pytest.raises(DeskError, match="not a post or endorsement"):
        targets(str(small_site), str(small_site / "topics" / "ai.md"))
    with pytest.raises(DeskError, match="no such file"):
        targets(str(small_site), "content/posts/nobody/*.md")


def test_reject_leaves_a_tombstone_the_pull_respects(site, feeds):
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1), one_entry(2)])))])
    site.pull()
    rejected = site.content / "posts/cy/post-number-1.md"
    changes = reject(str(site.content), [str(rejected)], reason="off-topic")
    assert [c.old for c in changes] == ["pulled"] and not rejected.exists()
    record = site.ledger()["cy|id:tag:blog.example.com,2026:1"]
    assert (record["state"], record["note"]) == ("rejected", "off-topic")
    assert site.pull(force=True).new == 0 and not rejected.exists()


def test_reject_a_hand_written_post(small_site):
    path = small_site / "posts" / "ada" / "second.md"
    changes = reject(str(small_site), [str(path)])
    assert [c.old for c in changes] == ["hand-written"] and not path.exists()


def test_invoke_queue_json_and_table(project):
    run = invoke(project, "queue", "--json")
    assert run.returncode == 0, run.stderr
    items = json.loads(run.stdout)  # stdout holds only the JSON
    paths = {i["path"] for i in items}
    assert "content/posts/rafael-mendes/five-questions-every-new-platform-user-asks.md" in paths
    assert "content/endorsements/pending-cooperative-quote.md" in paths
    pending = next(i for i in items if i["path"].endswith("pending-cooperative-quote.md"))
    assert pending["endorser"] == "Sam Okonkwo" and pending["consent"] == "pending"
    assert "inference to the gateways" in pending["quote"]
    assert all(i["age_days"] >= 0 for i in items)
    kinds = [i["kind"] for i in items]
    # 7 draft posts, then the pulled candidate and the pending quote, best first
    assert kinds == ["post"] * 7 + ["endorsement"] * 2
    scores = [i["score"] for i in items if i["kind"] == "endorsement"]
    assert scores == sorted(scores, reverse=True)
    table = invoke(project, "queue")
    assert "7 post(s) and 2 endorsement(s) wait for review." in table.stdout
    assert "**Kestrel Edge**" in table.stdout  # the watched term, highlighted


def test_invoke_approve_then_build_publishes(project):
    rel = "content/posts/rafael-mendes/five-questions-every-new-platform-user-asks.md"
    run = invoke(project, "approve", "-p", rel)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{rel}: Status: draft -> published"
    assert invoke(project, "build").returncode == 0
    assert (project / "output/posts/rafael-mendes/five-questions-every-new-platform-user-asks"
            / "index.html").is_file()
    assert "Nothing changed" in invoke(project, "approve", "-p", rel).stdout


def test_invoke_commands_validate_first(project):
    expert = project / "content/experts/june-achterberg.md"
    expert.write_text(expert.read_text().replace("Topics: sustainable-computing", "Topics: nope"))
    for args in (("queue",), ("approve", "-p", "content/posts/june-achterberg/*.md"), ("health",)):
        run = invoke(project, *args)
        assert run.returncode == 1 and "unknown topic 'nope'" in run.stderr, (args, run.stderr)


def test_invoke_health_flags_and_strict(project):
    ok = invoke(project, "health", "--strict")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    path = project / "content/_pull/health.json"
    health = json.loads(path.read_text())
    feed = "https://june.example.com/feed.xml"
    health[feed].update(error="HTTP 500", failing_since="2026-01-01T00:00:00+00:00",
                        moved_to="https://june.example.com/new-feed.xml")
    path.write_text(json.dumps(health))
    # Only Hannah Vogel (alumni) keeps sustainable-computing: no active expert left there.
    for slug in ("june-achterberg", "tomas-lindqvist", "lena-fischer"):
        p = project / f"content/experts/{slug}.md"
        p.write_text(p.read_text().replace("sustainable-computing", "platform-engineering")
                     .replace("platform-engineering, platform-engineering", "platform-engineering"))
    run = invoke(project, "health", "--strict")
    assert run.returncode == 1 and "needs action" in run.stderr
    assert "june-achterberg  https://june.example.com/feed.xml  2026-01-01" in run.stdout
    assert "https://june.example.com/new-feed.xml" in run.stdout
    no_expert = run.stdout.split("Topics with no active expert:")[1].split("\n\n")[0]
    assert "sustainable-computing" in no_expert


def test_invoke_reject_all_from_then_pull_does_not_resurrect(project):
    run = invoke(project, "reject", "--all-from", "rafael-mendes", "--reason", "not for the showcase")
    assert run.returncode == 0, run.stderr
    gone = "content/posts/rafael-mendes/five-questions-every-new-platform-user-asks.md"
    assert run.stdout.strip() == f"{gone}: removed"
    ledger = json.loads((project / "content/_pull/ledger.json").read_text())["entries"]
    record = next(r for r in ledger.values() if r["file"] == gone.removeprefix("content/"))
    assert (record["state"], record["note"]) == ("rejected", "not for the showcase")
    pull = invoke(project, "pull", "--force")
    assert pull.returncode == 0 and "Posts: 0 new" in pull.stdout
    assert not (project / gone).exists()
    assert (project / "content/posts/rafael-mendes/docs-as-tests.md").exists()  # published: kept


def test_invoke_new_topic_and_new_expert_scaffold_valid_files(project, feeds):
    run = invoke(project, "new-topic", "Quantum Networks")
    assert run.returncode == 0, run.stderr
    assert "Created content/topics/quantum-networks.md" in run.stdout
    url = feeds.add("/new.xml", Response(atom([one_entry(1, content="<p>forecasting</p>"),
                                               one_entry(2, content="<p>nothing</p>")])))
    run = invoke(project, "new-expert", "Ada Newcomer", "--topics", "applied-ai,quantum-networks",
                 "--feed", url)
    assert run.returncode == 0, run.stderr
    assert f"{url}: a valid feed; 2 entries, newest 2026-05-02; entries matching topics: applied-ai (1)" \
        in run.stdout
    text = (project / "content/experts/ada-newcomer.md").read_text()
    assert text.startswith("Title: Ada Newcomer\nTopics: applied-ai, quantum-networks\n"
                           f"Feeds: {url}\nTrusted: no\nStatus: active\n\n")
    assert invoke(project, "check").returncode == 0
    # No invented biography: nothing on the page until written, and health says so.
    assert "writes about" not in text and "<!-- Ada Newcomer's biography" in text
    assert "Experts with no biography yet: write one in their file: \n  ada-newcomer" in \
        invoke(project, "health").stdout
    again = invoke(project, "new-expert", "Ada Newcomer", "--topics", "applied-ai")
    assert again.returncode == 1 and "already exists" in again.stderr
    bad_feed = invoke(project, "new-expert", "Bo Other", "--topics", "applied-ai", "--feed",
                      feeds.url("/missing.xml"))
    assert bad_feed.returncode == 1 and "HTTP 404" in bad_feed.stderr
    assert not (project / "content/experts/bo-other.md").exists()
    bad_topic = invoke(project, "new-expert", "Bo Other", "--topics", "cooking")
    assert bad_topic.returncode == 1 and "unknown topic(s) cooking" in bad_topic.stderr
    bad_url = invoke(project, "new-expert", "Bo Other", "--topics", "applied-ai", "--feed", "http://[::1")
    assert bad_url.returncode == 1 and "Traceback" not in bad_url.stderr
    assert "http://[::1: not a valid URL (Invalid IPv6 URL)" in bad_url.stderr


def test_invoke_livereload_previews_drafts_and_rebuilds(project):
    import os
    import queue
    import signal
    import subprocess
    import sys
    import threading

    proc = subprocess.Popen([sys.executable, "-m", "invoke", "livereload", "--port", "0"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for_rebuild():
        while "Preview rebuilt at" not in lines.get(timeout=60):
            pass

    draft = project / "output-preview/posts/sofia-kowalczyk/draft-edge-ai-roadmap/index.html"
    try:
        wait_for_rebuild()
        assert "DRAFT — not public" in draft.read_text()
        assert not (project / "output").exists()  # the public output is never touched
        post = project / "content/posts/sofia-kowalczyk/draft-edge-ai-roadmap.md"
        post.write_text(post.read_text().replace("Title: Draft: where edge AI goes next",
                                                 "Title: Where edge AI goes next, revised"))
        wait_for_rebuild()
        assert "Where edge AI goes next, revised" in draft.read_text()
        # An editor saves an empty new post: the problem names it, the last preview stays.
        empty = project / "content/posts/sofia-kowalczyk/new-idea.md"
        empty.write_text("")
        while "new-idea.md: (file): is empty" not in lines.get(timeout=60):
            pass
        assert proc.poll() is None and "revised" in draft.read_text()
        empty.write_text(post.read_text().replace("revised", "second idea"))
        wait_for_rebuild()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _git(folder, *args):
    import subprocess

    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=Ed", "-c", "user.email=ed@example.com",
                           *args], capture_output=True, text=True, check=True).stdout


def test_the_desk_commits_after_rejecting_a_file_git_never_tracked(small_site):
    from eminence_desk.decisions import Decision, Session, commit

    _git(small_site, "init", "-q")
    _git(small_site, "add", "-A")
    _git(small_site, "commit", "-qm", "start")
    pulled = write(small_site, "posts/ada/pulled.md", "Title: P\nDate: 2026-03-01\nExpert: ada\n"
                                                       "Topics: ai\nStatus: draft\n\nx\n")  # never added
    tracked = small_site / "posts/ada/second.md"
    reject(str(small_site), [str(pulled), str(tracked)], "off-topic")
    session = Session()
    session.add(Decision("reject", [str(pulled), str(tracked)], [], "off-topic"))
    assert commit(session, str(small_site)) == "Committed: Desk: 1 decision. Nothing was pushed."
    assert "posts/ada/second.md" in _git(small_site, "show", "--stat", "--format=", "HEAD")
    assert _git(small_site, "status", "--porcelain", "--", "posts") == ""


def test_the_desk_commit_is_done_when_the_editor_committed_by_hand(small_site):
    from eminence_desk.decisions import Decision, Session, commit

    _git(small_site, "init", "-q")
    _git(small_site, "add", "-A")
    _git(small_site, "commit", "-qm", "start")
    post = small_site / "posts/ada/second.md"
    feature(str(small_site), [str(post)])
    session = Session()
    session.add(Decision("feature", [str(post)], []))
    _git(small_site, "commit", "-qam", "by hand")
    head = _git(small_site, "rev-parse", "HEAD")
    assert commit(session, str(small_site)).startswith("Nothing left to commit")
    assert _git(small_site, "rev-parse", "HEAD") == head and session.pending() == []


def test_a_feed_check_gives_one_verdict(small_site, feeds):
    """A feed with problems is readable, never "malformed …; a valid feed" in one line."""
    from eminence_desk import check_feed
    from helpers import settings_for

    broken = feeds.add("/broken.xml", Response(atom([one_entry(1)]).replace("</feed>", "<oops></feed>")
                                               .replace("<title>Post number 1</title>",
                                                        "<title>Post & number 1</title>")))
    check = check_feed(broken, {}, settings_for(small_site, small_site.parent / "out"))
    line = check.line()
    assert check.ok and "readable, with problems: " in line and "valid feed" not in line, line
    assert "; 1 entry, newest" in line

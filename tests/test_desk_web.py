"""`invoke desk` driven in real Chromium against a copy of the example project.

Every decision made in the browser is made again with the CLI on an identical copy
(the twin), and the files must be byte-identical: the desk calls the CLI's functions.
The desk runs once for the module; each test decides on files no other test touches.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from feedserver import Response
from helpers import EXAMPLE, example_project, invoke

DRAFTS = {
    "approve": "content/posts/sofia-kowalczyk/when-the-anomaly-is-the-sensor.md",
    "reject": "content/posts/rafael-mendes/five-questions-every-new-platform-user-asks.md",
    "feature": "content/posts/june-achterberg/our-first-carbon-report-for-customers.md",
    "retopic": "content/posts/priya-raman/tabletop-exercises-that-operators-enjoy.md",
    "bulk": ["content/posts/daniel-osei/draft-quantum-safe-signing.md",
             "content/posts/daniel-osei/rotating-keys-on-devices-in-the-field.md"],
    "stale": "content/posts/sofia-kowalczyk/draft-edge-ai-roadmap.md",
    "consent": "content/endorsements/pending-cooperative-quote.md",
}


def git(folder, *args):
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """(the desk's URL, its project, the twin the CLI edits)."""
    base = tmp_path_factory.mktemp("desk")
    project, twin = base / "project", base / "twin"
    example_project(project)
    example_project(twin)
    git(project, "init", "-q")
    git(project, "-c", "user.name=Test", "-c", "user.email=t@example.com", "add", "-A")
    git(project, "-c", "user.name=Test", "-c", "user.email=t@example.com", "commit", "-qm", "start")
    git(project, "config", "user.name", "Desk Editor")
    git(project, "config", "user.email", "editor@example.com")
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "desk", "--port", "0", "--no-browser"],
                            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    url = None
    deadline = time.monotonic() + 120
    while url is None and time.monotonic() < deadline:
        line = lines.get(timeout=120)
        if line.startswith("The desk is at "):
            url = line.split()[4]
    assert url and url.startswith("http://127.0.0.1:"), "the desk did not start"
    wait_for(lambda: "Preview up to date" in fetch(url))
    yield url, project, twin
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def fetch(url, data=None, headers=None) -> str:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}: {error.read().decode()}"


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def open_item(page, url, rel):
    page.goto(url)
    page.get_by_role("link", name=title_of(rel)).click()
    page.wait_for_url(re.compile(r"/item\?path="))


def title_of(rel) -> str:
    text = (EXAMPLE / rel.removeprefix("content/")).read_text()
    return next(line[7:] for line in text.splitlines() if line.startswith("Title: "))


def same_as_cli(desk_dir, twin, *rels):
    for rel in rels:
        assert (desk_dir / rel).read_bytes() == (twin / rel).read_bytes(), rel


def preview_of(url, rel) -> str:
    expert, name = rel.split("/")[-2:]
    return fetch(f"{url}preview/posts/{expert}/{name[:-3]}/")


def test_approve_writes_what_the_cli_writes_and_the_preview_follows(desk, page):
    url, project, twin = desk
    rel = DRAFTS["approve"]
    assert 'class="badge badge-draft"' in preview_of(url, rel)
    open_item(page, url, rel)
    assert page.locator("iframe").get_attribute("title").startswith("Preview of When the anomaly")
    page.get_by_role("button", name="Approve").click()
    assert "Status: draft -> published" in page.locator("main .message").inner_text()
    assert page.locator("h1").inner_text() != title_of(rel)  # on to the next item in the queue
    assert invoke(twin, "approve", "-p", rel).returncode == 0
    same_as_cli(project, twin, rel)
    wait_for(lambda: 'class="badge badge-draft"' not in preview_of(url, rel))  # the preview was rebuilt


def test_the_preview_follows_a_pull_and_a_preview_page_reloads_itself_after_a_decision(
        desk, page, browser):
    """A post written under content/ by something other than the desk (a pull landing while
    it is open) is built into the preview without a decision. The editor keeps its preview
    open beside the desk and approves it: the page shows the decision once the preview is
    rebuilt, without being reloaded by hand, and the desk's status line follows."""
    url, project, _ = desk
    landed = project / "content" / "posts" / "june-achterberg" / "landed-while-the-desk-was-open.md"
    landed.write_text("Title: Landed while the desk was open\nDate: 2026-11-30\nExpert: june-achterberg\n"
                      "Topics: sustainable-computing\nStatus: draft\n\nA post a pull just wrote.\n")
    address = f"{url}preview/posts/june-achterberg/landed-while-the-desk-was-open/"
    wait_for(lambda: "Landed while the desk was open" in fetch(address))
    beside = browser.new_context().new_page()
    beside.goto(address)
    assert beside.locator(".badge-draft").count() == 1
    beside.evaluate("window.notReloaded = true")  # gone once the page reloads itself
    page.goto(url)
    page.get_by_role("link", name="Landed while the desk was open").click()
    page.get_by_role("button", name="Approve").click()
    assert "Status: draft -> published" in page.locator("main .message").inner_text()
    beside.locator(".badge-draft").wait_for(state="detached", timeout=60_000)
    assert beside.evaluate("window.notReloaded === undefined")
    page.locator(".preview-state", has_text="Preview up to date").wait_for(timeout=60_000)
    # The file watcher may start one more build just after the decision's: wait for a state
    # with none running (the page reloads as soon as the pages are written, before search).
    states = []

    def settled() -> bool:
        states.append(json.loads(fetch(url + "preview-state")))
        return not states[-1]["building"]

    wait_for(settled)
    assert states[-1]["error"] is None and 0 < states[-1]["updated"] <= states[-1]["built"]
    beside.context.close()


def test_reject_with_a_reason_leaves_the_clis_tombstone(desk, page):
    url, project, twin = desk
    rel = DRAFTS["reject"]
    open_item(page, url, rel)
    page.get_by_label("Reason").fill("off topic for the showcase")
    page.get_by_role("button", name="Reject").click()
    assert f"{rel}: removed" in page.locator("main .message").inner_text()  # then the next item
    assert not (project / rel).exists()
    assert invoke(twin, "reject", "-p", rel, "--reason", "off topic for the showcase").returncode == 0
    ledgers = [json.loads((d / "content/_pull/ledger.json").read_text())["entries"] for d in (project, twin)]
    mine = [r for r in ledgers[0].values() if r.get("file") == rel.removeprefix("content/")]
    assert mine and mine[0]["state"] == "rejected" and mine[0]["note"] == "off topic for the showcase"
    assert ledgers[0] == ledgers[1]


@pytest.mark.parametrize(("action", "cli"), [
    ("feature", ["feature"]), ("retopic", ["retopic", "--topics", "security, grid-reliability"])])
def test_feature_and_retopic_write_what_the_cli_writes(desk, page, action, cli):
    url, project, twin = desk
    rel = DRAFTS[action]
    open_item(page, url, rel)
    if action == "retopic":
        page.get_by_label("Topics").fill("security, grid-reliability")
        page.get_by_role("button", name="Re-topic").click()
    else:
        page.get_by_role("button", name="Feature", exact=True).click()
    page.locator("main .message").wait_for()
    assert invoke(twin, *cli, "-p", rel).returncode == 0
    same_as_cli(project, twin, rel)


def test_bulk_approve_from_the_queue_with_the_keyboard(desk, page):
    url, project, twin = desk
    page.goto(url + "?expert=daniel-osei")
    for rel in DRAFTS["bulk"]:
        page.get_by_label(f"Select {title_of(rel)}").check()
    page.keyboard.press("a")  # the shortcut for the form's Approve
    page.wait_for_url(re.compile(r"message="))
    assert invoke(twin, "approve", "-p", " ".join(DRAFTS["bulk"])).returncode == 0
    same_as_cli(project, twin, *DRAFTS["bulk"])


def test_consent_fields_are_edited_in_place_and_validated(desk, page):
    from eminence_desk import set_fields

    url, project, twin = desk
    rel = DRAFTS["consent"]
    open_item(page, url, rel)
    page.get_by_label("Consent", exact=True).select_option("granted")
    page.get_by_label("Consent-Note").fill("S. Okonkwo by e-mail, 2026-11-30, for the showcase")
    page.get_by_role("button", name="Save consent fields").click()
    page.locator("main .message").wait_for()
    set_fields(str(twin / rel), {"Consent": "granted",
                                 "Consent-Note": "S. Okonkwo by e-mail, 2026-11-30, for the showcase"})
    same_as_cli(project, twin, rel)
    # An unknown expert is refused with the build's own message; the file is unchanged.
    before = (project / rel).read_bytes()
    page.get_by_label("Experts").fill("nobody-here")
    page.get_by_role("button", name="Save consent fields").click()
    assert "unknown expert 'nobody-here'" in page.get_by_role("alert").inner_text()
    assert (project / rel).read_bytes() == before


def test_a_file_changed_since_it_was_shown_is_not_overwritten(desk, page):
    url, project, _ = desk
    rel = DRAFTS["stale"]
    open_item(page, url, rel)
    path = project / rel
    path.write_text(path.read_text().replace("Title: ", "Title: Edited: ", 1))  # the editor's own edit
    edited = path.read_bytes()
    page.get_by_role("button", name="Approve").click()
    assert "changed on disk since the desk showed it" in page.get_by_role("alert").inner_text()
    assert path.read_bytes() == edited


def test_requests_without_the_token_or_for_another_host_are_refused(desk):
    url, project, _ = desk
    rel = DRAFTS["stale"]
    before = (project / rel).read_bytes()
    form = f"action=approve&item={rel}|x".encode()
    assert fetch(url + "act", data=form).startswith("HTTP 403: ")
    assert "token is missing" in fetch(url + "act", data=form)
    host = fetch(url, headers={"Host": "desk.attacker.example"})
    assert host.startswith("HTTP 403: ") and "answers only at http://127.0.0.1:" in host
    assert fetch(url + "act?action=approve").startswith("HTTP 405")  # no action through GET
    assert (project / rel).read_bytes() == before


def test_a_running_pull_makes_the_desk_wait(desk, page):
    from eminence_model.store import pull_lock, state_dir

    url, project, _ = desk
    rel = DRAFTS["stale"]
    open_item(page, url, rel)
    with pull_lock(state_dir(str(project / "content"))):
        page.get_by_role("button", name="Approve").click()
        assert "another pull is running" in page.get_by_role("alert").inner_text()


@pytest.mark.parametrize("path", ["", "health", "changes", "item?path=" + DRAFTS["consent"]])
@pytest.mark.parametrize(("width", "scheme"), [(360, "light"), (1280, "light"), (1280, "dark")])
def test_desk_pages_are_accessible_and_fit_360px(desk, browser, path, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    url, _, _ = desk
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    violations = Axe().run(page).response["violations"]
    context.close()
    assert overflow <= 0, f"{path}: horizontal scroll of {overflow}px at {width}px"
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_invalid_content_shows_the_builds_problems_and_allows_no_decision(desk):
    url, project, _ = desk
    topic = project / "content/topics/security.md"
    before = topic.read_bytes()
    topic.write_bytes(before.replace(b"Title: ", b"Titel: ", 1))
    try:
        page = fetch(url)
        assert page.startswith("HTTP 409: ") and "The content has problems" in page
        assert "Titel: unknown field" in page and "Fix: " in page
    finally:
        topic.write_bytes(before)
    assert "What waits for review" in fetch(url)


def test_commit_takes_exactly_the_decided_files(desk, page):
    url, project, _ = desk
    (project / "README.md").write_text("an unrelated change the editor has not decided to commit\n")
    page.goto(url + "changes")
    listed = page.locator("ul.touched code").all_inner_texts()
    assert DRAFTS["approve"] in listed and "content/_pull/ledger.json" in listed
    page.get_by_role("button", name="Commit these files").click()
    assert "Nothing was pushed" in page.locator("main .message").inner_text()
    log = git(project, "log", "-1", "--format=%s%n%b").stdout
    assert log.startswith("Desk: ") and f"- approve {DRAFTS['approve']}" in log
    assert "- reject " in log and "off topic for the showcase" in log
    files = set(git(project, "show", "--name-only", "--format=", "HEAD").stdout.split())
    assert files == set(listed)
    assert "README.md" in git(project, "status", "--short").stdout  # left alone


def test_the_desk_decides_only_on_posts_and_endorsements_and_redirects_only_to_itself(desk, page):
    """A forged form (with the session's token) cannot reject an expert's file, approve a
    topic, or send the editor to another host; a file deleted since it was shown is said
    to be gone, not "changed"."""
    from urllib.parse import quote

    url, project, _ = desk
    page.goto(url)
    token = page.locator("input[name=token]").first.get_attribute("value")
    for rel in ("content/experts/june-achterberg.md", "content/topics/security.md"):
        before = (project / rel).read_bytes()
        for action in ("reject", "approve"):
            form = f"token={token}&action={action}&item={quote(rel)}|x&reason=x".encode()
            said = fetch(url + "act", data=form)
            assert said.startswith("HTTP 409") and "not a post or endorsement" in said, (rel, said[:300])
        assert (project / rel).read_bytes() == before
    rel = DRAFTS["stale"]
    for back in ("/\\evil.example/", "//evil.example/", "https://evil.example/"):
        form = f"token={token}&action=approve&item={quote(rel)}|x&back={quote(back)}".encode()
        assert fetch(url + "act", data=form).startswith("HTTP 400"), back
    ghost = "content/posts/sofia-kowalczyk/no-such-post.md"
    said = fetch(url + "act", data=f"token={token}&action=approve&item={quote(ghost)}|x".encode())
    assert "no longer exists" in said and "changed on disk" not in said


def test_two_decisions_at_once_are_both_made(desk, page):
    """Two tabs (or a double click) deciding at once: the second used to be refused as
    "another pull is running" with the desk's own pid. Now they take turns."""
    import threading
    from urllib.parse import quote

    from eminence_model.store import file_hash

    url, project, _ = desk
    page.goto(url)
    token = page.locator("input[name=token]").first.get_attribute("value")
    rels = ["content/posts/ines-okafor/drift-is-a-calendar-problem.md",
            "content/posts/malik-hassan/" + sorted(p.name for p in (project / "content/posts/malik-hassan")
                                                   .glob("*.md"))[0]]
    said = {}

    def decide(rel):
        item = f"{quote(rel)}|{file_hash(str(project / rel))}"
        said[rel] = fetch(url + "act", data=f"token={token}&action=feature&item={item}".encode())

    threads = [threading.Thread(target=decide, args=(rel,)) for rel in rels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for rel in rels:
        assert not said[rel].startswith("HTTP "), said[rel][:300]
        assert "Featured: yes" in (project / rel).read_text()


def test_add_by_url_from_the_queue_writes_what_the_cli_writes(desk, page, feeds):
    url, project, twin = desk
    talk = feeds.add("/talks/storm", Response(
        "<!doctype html><html><head><title>x</title>"
        '<meta property="og:title" content="Storm season, live">'
        '<meta property="og:description" content="Malik Hassan on ice storms."></head><body></body></html>',
        content_type="text/html; charset=utf-8"))
    page.goto(url)
    page.get_by_text("Add a post by its URL").click()
    page.get_by_label("Page URL").fill(talk)
    page.locator("details.add-by-url select[name=expert]").select_option("malik-hassan")
    page.get_by_role("button", name="Add as a draft").click()
    page.wait_for_url(re.compile(r"/item\?path="))
    assert "names the expert: its text names Malik Hassan" in page.locator("main .message").inner_text()
    rel = "content/posts/malik-hassan/storm-season-live.md"
    assert invoke(twin, "add-post", talk, "--expert", "malik-hassan").returncode == 0
    strip_date = lambda text: re.sub(r"(?m)^Date: .*$", "", text)  # noqa: E731 - written a moment apart
    assert strip_date((project / rel).read_text()) == strip_date((twin / rel).read_text())
    again = fetch(url + "add", data=(f"token={page.locator('input[name=token]').first.get_attribute('value')}"
                                     f"&url={quote(talk)}&expert=malik-hassan").encode())
    assert "HTTP 409" in again and "already known" in again

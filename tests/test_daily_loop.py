"""The daily loop: a pull with nothing new changes nothing committed, a scheduled pull
speaks only when it has news, and the Quick start leaves a clone clean."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET

from feedserver import Response, atom, one_entry
from helpers import invoke


def content_digest(content) -> dict[str, str]:
    return {str(p.relative_to(content)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(content.rglob("*")) if p.is_file()}


def test_a_pull_with_nothing_new_leaves_content_byte_identical(site, feeds):
    """The server regenerates its feed at every request (a new <updated> and ETag, the same
    entries), then answers 304, then the pull's cache is lost: content/ never changes."""
    counter = itertools.count()

    def regenerated(handler):
        n = next(counter)
        body = atom([one_entry(1), one_entry(2)]).replace(
            "<updated>2026-01-01T00:00:00Z</updated>", f"<updated>2026-02-{1 + n:02d}T00:00:00Z</updated>", 1)
        return Response(body, etag=f'"v{n}"')

    url = feeds.add("/cy.xml", regenerated)
    site.set_expert("cy", [url])
    assert site.pull().new == 2
    before = content_digest(site.content)
    assert site.pull().fetched == 1  # a new body: parsed, nothing new in it
    feeds.add("/cy.xml", Response(atom([one_entry(1), one_entry(2)]), etag='"stable"'))
    site.pull()
    assert site.pull().not_modified == 1  # 304 for the ETag it sent
    shutil.rmtree(site.cache)
    site.pull()
    assert content_digest(site.content) == before
    # What changed only with time lives in the cache, and health still knows it.
    seen = site.health()[url]
    assert seen["last_success"] and seen["etag"] == '"stable"' and seen["status"] == 200


def test_short_failures_stay_in_the_cache_and_long_ones_are_committed(site, feeds):
    import json

    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    before = content_digest(site.content)
    feeds.add("/cy.xml", Response("down", status=503, content_type="text/plain"))
    site.pull()
    assert content_digest(site.content) == before  # a blip is not worth a pull request
    assert site.health()[url]["error"] == "HTTP 503"  # ...but the health report knows it
    observed = site.cache / "pull" / "observed.json"
    data = json.loads(observed.read_text())
    data["feeds"][url]["failing_since"] = "2026-01-01T00:00:00+00:00"  # failing for months now
    observed.write_text(json.dumps(data))
    site.pull(EMINENCE_FEED_FAILING_DAYS=7)
    committed = json.loads((site.content / "_pull/health.json").read_text())[url]
    assert committed["failing_since"] == "2026-01-01T00:00:00+00:00" and committed["error"] == "HTTP 503"
    feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.pull()
    assert content_digest(site.content) == before  # recovered: the committed record as it was


def test_validators_from_an_unmerged_pull_never_hide_its_posts(site, feeds):
    """The scheduled pull's pull request is not merged yet; the next day's pull starts from
    main again with the cache of the day before: its ETag must not answer "nothing new"."""
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)]), etag='"one"'))
    site.set_expert("cy", [url])
    site.pull()
    main = site.out.parent / "main-content"
    shutil.copytree(site.content, main)
    feeds.add("/cy.xml", Response(atom([one_entry(1), one_entry(2)]), etag='"two"'))
    assert site.pull().new == 1  # the day's pull request
    shutil.rmtree(site.content)
    shutil.copytree(main, site.content)  # next morning: main, without that pull request
    summary = site.pull()
    assert summary.new == 1 and "post-number-2.md" in site.posts()
    assert "If-None-Match" not in dict(feeds.requests[-1][1])  # asked for the whole feed


def test_the_example_opml_lists_every_active_experts_feed(project):
    run = invoke(project, "build")
    assert run.returncode == 0, run.stderr
    outlines = ET.parse(project / "output/feeds/experts.opml").getroot().iter("outline")
    urls = {o.get("xmlUrl") for o in outlines}
    assert len(urls) == 11 and all(u.startswith("https://") for u in urls)
    assert "https://ines.example.com/feed.xml" in urls


def test_example_feed_files_are_a_setting_for_the_example_only(site):
    from eminence_model.settings import TABLE

    assert TABLE["EMINENCE_FEED_FILES"].default == {}
    # A showcase without the mapping fetches the URL (and the test server is not there).
    assert "https://ines.example.com/feed.xml" in site.settings()["EMINENCE_FEED_FILES"]


def test_quick_start_leaves_a_clone_clean(project):
    """README's first command, twice (a newcomer runs it again): git status stays empty."""
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "clone"], cwd=project, check=True)
    for _ in range(2):
        run = invoke(project, "pull", "build")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Posts: 0 new, 0 updated" in run.stdout and ", 0 failed." in run.stdout
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                                capture_output=True, text=True, check=True).stdout
        assert status == "", status

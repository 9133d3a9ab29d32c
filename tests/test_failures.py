"""When the machine says no (a second build, a read-only folder): one line saying what
failed, that nothing was lost, what to do; exit status 1; no traceback.

The failing writes are real: an immutable folder (chattr +i) refuses writes even to
root, which the tests run as."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import subprocess

import pytest

from helpers import build, invoke

DRAFT = "content/posts/sofia-kowalczyk/draft-edge-ai-roadmap.md"


@contextlib.contextmanager
def immutable(folder):
    subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def one_line_failure(run, starts: str) -> str:
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith(starts), run.stderr
    return line


def test_a_second_build_into_the_same_output_is_refused(project):
    assert invoke(project, "build").returncode == 0
    before = sorted(p.relative_to(project) for p in (project / "output").rglob("*"))
    lock = project / ".output.eminence-build.lock"
    with open(lock, "a+") as held:  # a build in another process holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        run = invoke(project, "build")
    line = one_line_failure(run, "build: another build is writing output/ (pid ")
    assert line.endswith("wait for it to finish, then build again.")
    assert sorted(p.relative_to(project) for p in (project / "output").rglob("*")) == before
    assert invoke(project, "build").returncode == 0  # released: the next build runs


def test_a_pull_that_cannot_write_says_nothing_was_lost(project):
    state = project / "content" / "_pull"
    ledger = (state / "ledger.json").read_bytes()
    feed = project / "examples/kestrel-works/feeds/ines-okafor.xml"  # a new entry: the pull must write
    feed.write_text(feed.read_text().replace("</feed>", """<entry><id>https://ines.example.com/new/</id>
        <title>A new post</title><link rel="alternate" href="https://ines.example.com/new/"/>
        <updated>2026-11-21T09:00:00Z</updated><content>Forecasting, again.</content></entry></feed>"""))
    with immutable(state):
        run = invoke(project, "pull", "--force")
    line = one_line_failure(run, "pull: stopped: Operation not permitted: content/_pull/")
    assert "Nothing was lost" in line and "the next pull finishes the job" in line
    assert (state / "ledger.json").read_bytes() == ledger
    assert invoke(project, "pull").returncode == 0


def test_an_approve_that_cannot_write_names_the_file_and_changes_nothing(project):
    draft = project / DRAFT
    before = draft.read_bytes()
    with immutable(draft.parent):
        run = invoke(project, "approve", "-p", DRAFT)
    line = one_line_failure(run, f"approve: stopped: Operation not permitted: {DRAFT}.")
    assert "Each file is written whole or not at all" in line
    assert draft.read_bytes() == before


def test_a_build_that_cannot_write_its_output_says_so(project):
    assert invoke(project, "build").returncode == 0
    with immutable(project / "output" / "topics"):
        (project / "content" / "topics" / "security.md").write_text(
            (project / "content" / "topics" / "security.md").read_text().replace("Security", "Safety", 1))
        run = invoke(project, "build")
    line = one_line_failure(run, "build: stopped: ")
    assert "output/topics/" in line and "The content is unchanged" in line


def test_a_killed_builds_temporary_files_never_stay_in_the_output(small_site, tmp_path):
    """kill -9 mid-write leaves index.html.<pid>.eminence-tmp: the next build removes it,
    so check-site never passes it and publish never uploads it."""
    out = tmp_path / "out"
    build(small_site, out)
    leftovers = [out / "posts/ada/first/index.html.99999.eminence-tmp",
                 out / "feeds/x.atom.xml.1.eminence-tmp"]
    for leftover in leftovers:
        leftover.write_text("<html>half a page")
    build(small_site, out)
    assert not any(p.exists() for p in leftovers)
    assert not list(out.rglob("*.eminence-tmp"))


@contextlib.contextmanager
def small_disk(folder, size: str):
    """A real filesystem of `size` (tmpfs; the suite runs as root, as in CI)."""
    folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_build_onto_a_full_disk_fails_naming_the_file_and_the_next_one_repairs_it(small_site, tmp_path):
    """Pagefind wrote empty index files onto a full disk and exited 0: the build said it
    had built the showcase, and a rebuild (no page changed) kept them."""
    from eminence_publish.sitecheck import check_files

    with small_disk(tmp_path / "disk", "900k") as disk:
        out = disk / "output"
        with pytest.raises(OSError) as error:
            build(small_site, out, CACHE_PATH=str(tmp_path / "cache"))
        assert error.value.errno == errno.ENOSPC and "the search index" in str(error.value)
        assert check_files(str(out)) == []  # nothing half-written is left to be served
        subprocess.run(["mount", "-o", "remount,size=8m", str(disk)], check=True)  # space freed
        build(small_site, out, CACHE_PATH=str(tmp_path / "cache"))
        assert check_files(str(out)) == [] and (out / "pagefind" / "pagefind-ui.js").stat().st_size > 4096


def test_check_site_finds_files_that_are_empty_or_cut_short(small_site, tmp_path):
    from eminence_publish.sitecheck import check_files

    out = tmp_path / "out"
    build(small_site, out)
    assert check_files(str(out)) == []
    fragment = next((out / "pagefind" / "fragment").iterdir())
    fragment.write_bytes(fragment.read_bytes()[:20])
    (out / "pagefind" / "pagefind-ui.js").write_bytes(b"")
    page = out / "posts" / "ada" / "first" / "index.html"
    page.write_bytes(page.read_bytes()[:300])
    found = {str(b.page): b.why for b in check_files(str(out))}
    assert found[str(fragment.relative_to(out))].startswith("cut short: does not decompress")
    assert found["pagefind/pagefind-ui.js"].startswith("empty")
    assert found["posts/ada/first/index.html"] == "cut short: no closing </html>"

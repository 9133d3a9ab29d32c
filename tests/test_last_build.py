"""A build with nothing to do stops after comparing its inputs with the last complete
build's (plugins/eminence_showcase/last_build.py); any change to what a page may show
makes it build, and its output is then what a clean build writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import ROOT, build, settings_for, write
from helpers import runner as build_runner


def built(content, output, **options) -> bool:
    """Build; True if it stopped early with nothing to do."""
    options = {"EMINENCE_SEARCH": False, **options}
    return build(content, output, **options).eminence_unchanged


def test_nothing_changed_means_nothing_done(small_site, tmp_path):
    out = tmp_path / "out"
    assert built(small_site, out) is False
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert built(small_site, out) is True
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("change", ["post edited", "static file added", "setting changed",
                                    "another month", "page deleted from the output",
                                    "output emptied", "incremental off"])
def test_any_change_to_the_inputs_or_the_output_builds_again(small_site, tmp_path, change, monkeypatch):
    out = tmp_path / "out"
    options = {}
    assert built(small_site, out) is False
    if change == "post edited":
        post = next((small_site / "posts").rglob("*.md"))
        post.write_text(post.read_text() + "\nOne more line.\n")
    elif change == "static file added":
        write(small_site, "images/new.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    elif change == "setting changed":
        options["EMINENCE_HOME_LATEST"] = 2
    elif change == "another month":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # the charts end at 2030-01
    elif change == "page deleted from the output":
        (out / "topics" / "ai" / "index.html").unlink()
    elif change == "output emptied":
        shutil.rmtree(out)
    elif change == "incremental off":
        options["EMINENCE_INCREMENTAL"] = False
    assert built(small_site, out, **options) is False
    assert (out / "topics" / "ai" / "index.html").is_file()  # restored where it was removed
    if change != "incremental off":
        assert built(small_site, out, **options) is True  # and then nothing again


def test_once_settled_the_inputs_and_the_output_are_known_by_their_stat(small_site, tmp_path, monkeypatch):
    """known_files.py: a no-change build reads no content file and lists no output
    folder whose stat has settled; a change still shows, by its stat."""
    from eminence_showcase import known_files

    out, real_now = tmp_path / "out", known_files.now_ns
    one = {"EMINENCE_WORKERS": 1}  # the content digested in this process: its reads are seen
    assert built(small_site, out, **one) is False
    monkeypatch.setattr(known_files, "now_ns", lambda: real_now() + 10**10)
    assert built(small_site, out, **one) is True  # and the record now trusts the folders' stat
    reads, real_read = [], known_files.read_digest
    monkeypatch.setattr(known_files, "read_digest", lambda path: reads.append(path) or real_read(path))
    assert built(small_site, out, **one) is True
    assert reads == []
    page = out / "topics" / "ai" / "index.html"
    page.unlink()
    assert built(small_site, out, **one) is False and page.is_file()
    monkeypatch.setattr(known_files, "now_ns", lambda: real_now() + 2 * 10**10)
    post = next((small_site / "posts").rglob("*.md"))
    before = post.stat()
    post.write_text(post.read_text().replace("e", "E", 1))  # same size, time set back
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert built(small_site, out, **one) is False
    assert reads == [str(post)]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_inputs_are_digested_alike_beside_the_output_check_or_before_it(small_site, tmp_path, workers,
                                                                            monkeypatch):
    """With two workers the content is digested in a forked process while this one checks
    the output (last_build.LastBuild): the same digest, and a failure raised as itself."""
    from eminence_showcase import last_build, parallel

    forks = []

    class CountedShare(parallel.Share):
        def __init__(self, n):
            forks.append(n)
            super().__init__(n)

    monkeypatch.setattr(last_build, "Share", CountedShare)
    settings = settings_for(small_site, tmp_path / "out", EMINENCE_WORKERS=workers)
    assert last_build.LastBuild(settings, str(tmp_path / "out")).digest == last_build.inputs_digest(settings)
    assert forks == ([2] if workers == 2 else [])
    (small_site / "posts" / "gone.md").symlink_to(small_site / "nowhere.md")
    with pytest.raises(FileNotFoundError, match="gone.md"):
        last_build.LastBuild(settings, str(tmp_path / "out"))


def test_a_theme_edit_builds_again(small_site, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    out = tmp_path / "out"
    assert built(small_site, out, THEME=str(theme)) is False
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>New footer line</p></footer>"))
    assert built(small_site, out, THEME=str(theme)) is False
    assert "New footer line" in (out / "index.html").read_text()


def test_a_failed_build_leaves_no_record_to_skip_by(small_site, tmp_path):
    from eminence_model.validate import ContentError

    out = tmp_path / "out"
    assert built(small_site, out) is False
    expert = small_site / "experts" / "ada.md"
    good = expert.read_text()
    expert.write_text(good.replace("Topics: ai, security", "Topics: no-such-topic"))
    with pytest.raises(ContentError):
        built(small_site, out)
    assert not list((tmp_path / "cache").glob("eminence-inputs-*.pickle"))  # forgotten at the start
    expert.write_text(good)  # back to what the last good build had: it builds again
    assert built(small_site, out) is False


def test_a_build_with_fatal_warnings_records_nothing(small_site, tmp_path):
    from helpers import runner

    write(small_site, "posts/ada/broken-link.md", """
        Title: A broken link
        Date: 2026-03-01
        Expert: ada
        Topics: ai

        See [this]({filename}/posts/ada/no-such-post.md).
        """)
    out = tmp_path / "out"
    for _ in range(2):  # the warning is raised again, not skipped over
        with pytest.raises(runner.BuildWarnings):
            built(small_site, out)


def test_the_record_is_per_output_folder(small_site, tmp_path):
    assert built(small_site, tmp_path / "one") is False
    assert built(small_site, tmp_path / "two") is False
    assert built(small_site, tmp_path / "one") is True


def test_content_edited_during_a_build_is_built_next_time(small_site, tmp_path, monkeypatch):
    """The record holds the inputs as the build found them when it started."""
    out = tmp_path / "out"
    settings = settings_for(small_site, out, EMINENCE_SEARCH=False)
    real_run = build_runner.Pelican.run
    post = next((small_site / "posts").rglob("*.md"))

    def run_and_edit(self):
        real_run(self)
        post.write_text(post.read_text() + "\nWritten while the build ran.\n")

    monkeypatch.setattr(build_runner.Pelican, "run", run_and_edit)
    build_runner.build(settings)
    monkeypatch.undo()
    assert built(small_site, out) is False
    assert "Written while the build ran" in next(out.rglob(f"{post.stem}/index.html")).read_text()


def test_a_finished_build_keeps_nothing_alive(small_site, tmp_path):
    """The desk's preview and livereload build again and again in one process: nothing of
    a finished build may stay reachable. Pelican memoizes each object's content and summary
    for the life of the process, and each kept its object, and the build's whole context."""
    import gc
    import weakref

    from pelican import signals

    made = []

    def keep(content):
        made.append(weakref.ref(content))

    signals.content_object_init.connect(keep)
    try:
        for n in range(2):  # the second renders only what the edit changed
            write(small_site, "posts/ada/first.md", (small_site / "posts/ada/first.md").read_text()
                  + f"\nEdited {n}.\n")
            build(small_site, tmp_path / "out", EMINENCE_SEARCH=False)
    finally:
        signals.content_object_init.disconnect(keep)
    gc.collect()
    alive = [type(obj).__name__ for obj in (ref() for ref in made) if obj is not None]
    assert len(made) > 10 and not alive, f"{len(alive)} of {len(made)} content objects outlived their build"


def test_memory_follows_the_page_not_the_site(tmp_path):
    """Pelican memoizes every post's HTML and summary per site URL for the whole run (with
    relative URLs, a copy per page depth and one for the feeds): at 20,000 posts most of a
    cold build's growth. The writer drops those memos after each page and feed it writes,
    and the feeds keep no post's whole HTML (output.py, feeds.py)."""
    from pelican import signals
    from pelican.contents import Content

    from helpers import EXAMPLE

    held, kept_for_feeds = [], []

    def after_page(path, context):
        held.append(len(Content.get_content.cache) + len(Content.get_summary.cache))

    def at_the_end(pelican):
        after_page(None, None)
        for obj in pelican_objects:
            memo = obj.__dict__.get("_eminence_feed_html")
            if memo is not None and memo[1] is not None:
                kept_for_feeds.append(obj.source_path)

    pelican_objects = []

    def made(obj):  # a function of its own: blinker keeps only a weak reference
        pelican_objects.append(obj)

    signals.content_object_init.connect(made)
    signals.content_written.connect(after_page)
    signals.finalized.connect(at_the_end)
    try:
        build(EXAMPLE, tmp_path / "out", EMINENCE_SEARCH=False, EMINENCE_WORKERS=1, RELATIVE_URLS=True)
    finally:
        signals.content_object_init.disconnect(made)
        signals.content_written.disconnect(after_page)
        signals.finalized.disconnect(at_the_end)
    posts = sum(1 for p in (EXAMPLE / "posts").rglob("*.md"))
    assert posts > 40 and len(held) > 100 and len(pelican_objects) > posts
    # After each page, nothing: within a page the memos still spare the work.
    assert max(held) == 0, max(held)
    assert kept_for_feeds == []  # no post of the example is long enough to be cut


def test_search_is_indexed_once_the_builds_objects_are_freed(small_site, tmp_path, monkeypatch):
    """The runner indexes search after Pelican.run has returned, and when several shards
    are indexed side by side (a cold build) the build's objects are freed first: Pagefind's
    runs need that memory. A build that indexes at most one shard of posts skips the
    collection (~0.2 s at 5,000 posts). Plain Pelican (`pelican content`) still indexes as it finishes."""
    import weakref

    from pelican import Pelican, signals

    from eminence_showcase import runner, search

    made, seen, freed = [], [], []

    def keep(content):
        made.append(weakref.ref(content))

    def index(output, runs, at_once):
        alive = sum(ref() is not None for ref in made)
        seen.append((alive, (Path(output) / "index.html").is_file(), len([r for r in runs if r[3]])))
        for name, *_ in runs:  # as Pagefind would: the bundle is there next time
            write(Path(output), f"{name}/pagefind.js", "")

    real_free = runner._free_memory
    monkeypatch.setattr(search, "_pagefind_all", index)
    monkeypatch.setattr(runner, "_free_memory", lambda: freed.append(1) or real_free())
    signals.content_object_init.connect(keep)
    options = {"EMINENCE_SEARCH_SHARD_PAGES": 1, "EMINENCE_WORKERS": 1}  # a shard per expert
    try:
        build(small_site, tmp_path / "out", **options)
        cold = seen.pop()
        praise = small_site / "endorsements" / "good.md"  # shown on the site's pages only
        praise.write_text(praise.read_text().replace("very good work", "excellent work"))
        build(small_site, tmp_path / "out", **options)
        site_only = seen.pop()
        Pelican(settings_for(small_site, tmp_path / "plain")).run()
        plain = seen.pop()
    finally:
        signals.content_object_init.disconnect(keep)
    assert len(made) > 10
    assert cold[2] > 1 and cold[:2] == (0, True) and len(freed) == 1
    assert site_only[2] == 0 and len(freed) == 1
    assert plain[0] > 0 and plain[1]

def _preview_into(content, folder) -> dict:
    """Settings for a preview build of `content` into folder/out, its cache in folder/cache."""
    return {"PATH": str(content), "OUTPUT_PATH": str(folder / "out"), "CACHE_PATH": str(folder / "cache"),
            "EMINENCE_PREVIEW": True}


def test_a_build_in_a_new_process_says_whether_it_changed_anything(small_site, tmp_path):
    """The desk's preview builds in a process of its own (runner.build_in_new_process): it
    learns whether the preview changed, and a failure comes back with the build's message."""
    from helpers import SETTINGS

    options = {**_preview_into(small_site, tmp_path), "EMINENCE_SEARCH": False}
    assert build_runner.build_in_new_process(SETTINGS, **options) is True
    assert (tmp_path / "out" / "index.html").is_file()
    assert build_runner.build_in_new_process(SETTINGS, **options) is False
    post = small_site / "posts" / "ada" / "first.md"
    post.write_text(post.read_text().replace("Date: ", "Date: someday "), encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"first\.md.*Date"):
        build_runner.build_in_new_process(SETTINGS, **options)


def test_a_build_says_its_pages_are_written_before_it_indexes_search(small_site, tmp_path):
    """The desk's preview reloads when the pages are written, not seconds later when
    Pagefind is done (runner.build's on_pages, passed on by build_in_new_process)."""
    from helpers import SETTINGS

    out = tmp_path / "out"
    options = _preview_into(small_site, tmp_path)
    seen = []

    def on_pages(changed):
        seen.append((changed, (out / "index.html").is_file(), (out / "pagefind").exists()))

    assert build_runner.build_in_new_process(SETTINGS, on_pages, **options) is True
    assert seen == [(True, True, False)] and (out / "pagefind" / "pagefind.js").is_file()
    seen.clear()
    assert build_runner.build_in_new_process(SETTINGS, on_pages, **options) is False
    assert seen == []  # nothing to do: no pages written either


def test_the_desk_preview_counts_as_updated_once_its_pages_are_written():
    import threading

    from eminence_desk.web import Preview

    pages, finish = threading.Event(), threading.Event()

    def build(on_pages):
        on_pages(True)
        pages.set()
        finish.wait(10)  # the search index is still being built
        return True

    preview = Preview(build, "unused")
    preview.start()
    assert pages.wait(10)
    assert preview.state()["updated"] == 1 and preview.state()["building"]
    finish.set()
    for _ in range(100):
        if not preview.state()["building"]:
            break
        threading.Event().wait(0.05)
    assert preview.state() == {"built": 1, "updated": 1, "building": False, "error": None}
    preview.stop()
    assert not preview._thread.is_alive()  # a thread left running stops later builds forking

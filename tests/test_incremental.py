"""Incremental builds: after any kind of edit, output identical to a clean serial build.

The example showcase is built once, then edited step by step. After each edit
an incremental build (same output and cache folders) is compared file by file
with a clean build of the same content that renders everything
(EMINENCE_INCREMENTAL = False, empty output and cache). Pagefind is left out
here (its index is checked in test_browser); everything else Pelican and the
showcase write is compared byte for byte, and stale files must be gone.

Lists show two items a page, so every list has several pages and an edit can move
items between them: the list pages' dependency records (dependencies.py) are tested
by every kind of edit, and some edits must also leave most pages alone.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eminence_model.reading import last_read
from eminence_showcase import search
from eminence_showcase.state import build_state
from helpers import EXAMPLE, ROOT, runner, settings_for


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_field(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = re.sub(rf"(?m)^{field}:.*$", f"{field}: {value}", text, count=1)
    if new == text:  # not there yet: add it to the header
        new = f"{field}: {value}\n{text}"
    path.write_text(new, encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{text}\n")


def _newest_published(content: Path) -> Path:
    posts = [p for p in (content / "posts").rglob("*.md")
             if "Status: draft" not in p.read_text(encoding="utf-8")]
    return max(posts, key=lambda p: re.search(r"(?m)^Date: (.*)$", p.read_text()).group(1))


# Settings the edits change (a setting is an input too); they stay for the later builds.
OVERRIDES: dict = {}


def _theme_edit(theme: Path) -> None:
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>Edited footer</p></footer>"))


EDITS = {
    "nothing": lambda c, t: None,
    "newest post's body": lambda c, t: _append(_newest_published(c), "A late correction."),
    "old post's body": lambda c, t: _append(c / "posts/hannah-vogel/reliability-culture-is-a-habit.md",
                                             "An added paragraph about *habits*."),
    "post title": lambda c, t: _set_field(c / "posts/daniel-osei/sbom-you-can-use.md", "Title",
                                          "SBOMs people actually read"),
    "draft approved": lambda c, t: _set_field(c / "posts/daniel-osei/draft-quantum-safe-signing.md",
                                              "Status", "published"),
    "post deleted": lambda c, t: (c / "posts/daniel-osei/signing-keys-in-hardware.md").unlink(),
    "new post": lambda c, t: (c / "posts/hannah-vogel/new-note.md").write_text(
        "Title: A new note\nDate: 2026-11-21\nExpert: hannah-vogel\nTopics: grid-reliability\n\n"
        "Fresh words.\n", encoding="utf-8"),
    "post featured": lambda c, t: _set_field(c / "posts/hannah-vogel/reliability-culture-is-a-habit.md",
                                             "Featured", "yes"),
    "expert edited": lambda c, t: _set_field(c / "experts/hannah-vogel.md", "Role",
                                             "Chief Reliability Officer"),
    "expert renamed": lambda c, t: _set_field(c / "experts/daniel-osei.md", "Title", "Daniel K. Osei"),
    "topic renamed": lambda c, t: _set_field(c / "topics/security.md", "Title", "Security engineering"),
    "topic summary edited": lambda c, t: _set_field(c / "topics/applied-ai.md", "Summary",
                                                    "Models that explain themselves to operators."),
    "endorsement quote edited": lambda c, t: _append(c / "endorsements/metro-transit-reliability.md",
                                                     "And they answered the phone at 3 am."),
    "endorsement withdrawn": lambda c, t: _set_field(c / "endorsements/analyst-reliability-culture.md",
                                                     "Consent", "withdrawn"),
    "setting changed": lambda c, t: OVERRIDES.update(EMINENCE_TAGLINE="Engineering for the grid, in public."),
    "template edited": lambda c, t: _theme_edit(t),
    "static image added": lambda c, t: (c / "images" / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', encoding="utf-8"),
    "post moved to an older date": lambda c, t: _set_field(
        _newest_published(c), "Date", "2025-01-15T09:00:00+00:00"),
}


# Edits that show on few pages, and at most how many pages each may render of the ~280
# (before the list pages' dependency records, each of these rendered every list page).
NARROW = {"newest post's body": 15, "old post's body": 15, "post title": 25, "post featured": 25,
          "expert edited": 30, "topic summary edited": 45, "endorsement quote edited": 25}


def _example_with_theme(base: Path) -> Path:
    """The example's content and a theme of its own (edits change them) in `base`."""
    shutil.copytree(EXAMPLE, base / "content")
    shutil.copytree(ROOT / "theme", base / "theme")
    return base


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return _example_with_theme(tmp_path_factory.mktemp("incremental"))


def _build(base: Path, name: str, incremental: bool, **overrides):
    output = base / name / "output"
    # The incremental builds render on two processes; the clean reference is serial.
    settings = settings_for(base / "content", output, THEME=str(base / "theme"), EMINENCE_SEARCH=False,
                            EMINENCE_INCREMENTAL=incremental, EMINENCE_FATAL_WARNINGS=False,
                            EMINENCE_WORKERS=2 if incremental else 1, EMINENCE_PARALLEL_MIN=1,
                            DEFAULT_PAGINATION=2, **{**OVERRIDES, **overrides})
    pelican = runner.build(settings)
    return output, build_state(settings).writer, pelican.eminence_unchanged


def test_first_incremental_build_equals_a_clean_one(workspace):
    output, writer, _ = _build(workspace, "incremental", True)
    clean, _, _ = _build(workspace, "clean-first", False)
    assert writer.shared_phases == 2  # the article pages and the showcase's pages
    assert writer.skipped == 0 and writer.rendered > 50  # counts merged from both processes
    assert _tree(output) == _tree(clean)


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_each_edit_incremental_equals_clean(workspace, edit):
    # Edits accumulate in order (the module's tests run in order): a realistic session.
    EDITS[edit](workspace / "content", workspace / "theme")
    output, writer, unchanged = _build(workspace, "incremental", True)
    clean_dir = workspace / f"clean-{edit.replace(' ', '-')}"
    clean, _, _ = _build(workspace, clean_dir.name, False)
    assert unchanged == (edit == "nothing")  # only a build with nothing to do stops early
    got, want = _tree(output), _tree(clean)
    assert sorted(set(got) ^ set(want)) == [], "stale or missing files"
    differ = [rel for rel in want if got[rel] != want[rel]]
    assert differ == [], f"pages not refreshed after '{edit}'"
    shutil.rmtree(clean_dir)
    if edit == "nothing":
        assert writer is None  # last_build.py: not even Pelican's content objects were made
    if edit in NARROW:
        # Only the pages that show what changed are rendered again: that post's page and
        # the pages of lists it is on, not every list page.
        assert 0 < writer.rendered <= NARROW[edit], (writer.rendered, writer.skipped)
    if edit == "post deleted":
        assert not list(output.rglob("signing-keys-in-hardware"))


def test_a_preview_approval_renders_only_the_pages_that_show_it(tmp_path):
    """The desk's case: in a preview an approved draft stays where it was in every list;
    its card loses its badge, its topic's chart and its expert's count it. An old draft,
    so that it sits on a later page of its lists, not on their first pages."""
    _example_with_theme(tmp_path)
    draft = tmp_path / "content/posts/hannah-vogel/an-old-draft.md"
    draft.write_text("Title: Storm season, a year on\nDate: 2025-06-10\nExpert: hannah-vogel\n"
                     "Topics: grid-reliability\nStatus: draft\n\nWhat we kept.\n", encoding="utf-8")
    _build(tmp_path, "preview", True, EMINENCE_PREVIEW=True)
    _set_field(draft, "Status", "published")
    output, writer, _ = _build(tmp_path, "preview", True, EMINENCE_PREVIEW=True)
    clean, _, _ = _build(tmp_path, "clean", False, EMINENCE_PREVIEW=True)
    got, want = _tree(output), _tree(clean)
    assert sorted(set(got) ^ set(want)) == []
    assert [rel for rel in want if got[rel] != want[rel]] == []
    assert 0 < writer.rendered < 40, (writer.rendered, writer.skipped)


def test_the_templates_written_with_a_record_read_only_what_it_covers():
    """A list template that starts reading another name from its context (a count of all
    posts, another list) must have it added to its dependency record, or its pages would
    not be rendered again when that changes: this names the template and the name."""
    from jinja2 import Environment, FileSystemLoader, meta, nodes

    from eminence_showcase import dependencies

    env = Environment(loader=FileSystemLoader(ROOT / "theme" / "templates"), extensions=["jinja2.ext.i18n"])
    uncovered = {}
    for name in (*dependencies.RECORDED, "base.html", "macros.html"):
        ast = env.parse(env.loader.get_source(env, name)[0])
        for node in ast.find_all((nodes.Filter, nodes.Test)):  # the showcase's own: not needed here
            (env.filters if isinstance(node, nodes.Filter) else env.tests).setdefault(node.name, len)
        # Names the templates set themselves ({% set %}, {% import ... as m %}).
        local = {node.target for node in ast.find_all(nodes.Import)}
        local |= {n.name for node in ast.find_all(nodes.Assign)
                  for n in (node.target, *node.target.find_all(nodes.Name)) if isinstance(n, nodes.Name)}
        read = {n for n in meta.find_undeclared_variables(ast) - local if not n.isupper()}
        if read - dependencies.COVERED:
            uncovered[name] = sorted(read - dependencies.COVERED)
    assert uncovered == {}
    assert "articles_page" in meta.find_undeclared_variables(env.parse("{{ articles_page.number }}"))


def test_search_reindexes_only_the_shards_that_changed(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    output = tmp_path / "output"

    def build():
        runner.build(settings_for(tmp_path / "content", output, EMINENCE_SEARCH_SHARD_PAGES=4))
        return {p.name: p.stat().st_ino for p in output.iterdir() if p.name.startswith("pagefind")}

    first = build()
    assert len(first) >= 5
    assert build() == first  # nothing changed: Pagefind does not run
    _append(tmp_path / "content/posts/hannah-vogel/reliability-culture-is-a-habit.md", "One more line.")
    third = build()
    redone = sorted(name for name in first if third[name] != first[name])
    record = json.loads(next((tmp_path / "cache").glob("eminence-search-*.json")).read_text())
    hannah = next(name for name, experts in record.items() if "hannah-vogel" in experts)
    # Her shard only (plus the site index if a list page's summary of the post changed).
    assert set(redone) - {"pagefind"} == {hannah}
    (tmp_path / "content/posts/hannah-vogel/reliability-culture-is-a-habit.md").unlink()
    build()
    assert not list((output / hannah).glob("**/*reliability-culture*"))
    bundle = (output / hannah / "pagefind-entry.json").read_text()
    assert bundle  # still a valid bundle for her other posts


def test_shards_of_an_earlier_plan_are_removed(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    output = tmp_path / "output"
    runner.build(settings_for(tmp_path / "content", output, EMINENCE_SEARCH_SHARD_PAGES=4))
    assert len(list(output.glob("pagefind-posts-*"))) > 1
    runner.build(settings_for(tmp_path / "content", output))  # one shard now
    assert sorted(p.name for p in output.glob("pagefind*")) == ["pagefind", "pagefind-posts-0"]


def _fragments(bundle: Path) -> dict[str, dict]:
    """A Pagefind bundle's pages: {url: fragment} (gzip, after a signature, JSON)."""
    pages = {}
    for path in bundle.glob("fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        pages[fragment["url"]] = fragment
    return pages


def test_the_site_bundle_indexes_what_pagefind_given_every_page_would(tmp_path):
    """search._site_pages gives Pagefind only the pages marked for indexing; Pagefind
    given every site page (the slow path it replaces) indexes exactly the same."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    output = tmp_path / "output"
    runner.build(settings_for(tmp_path / "content", output))
    assert not [p for p in output.iterdir() if p.name.startswith(".")]  # no staging left behind
    (output / ".pagefind.pages" / "topics").mkdir(parents=True)  # as a killed build leaves them
    (output / ".pagefind-posts-0.new").mkdir()
    runner.build(settings_for(tmp_path / "content", output))
    assert not [p for p in output.iterdir() if p.name.startswith(".")]
    site_pages = sorted(str(p.relative_to(output)) for p in output.rglob("*.html")
                        if p.relative_to(output).parts[0] not in search.NOT_INDEXED)
    marked = search._site_pages(str(output), "posts")
    assert 0 < len(marked) < len(site_pages)  # list pages (page 2, filters) are left out
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(output), "--output-subdir", ".every",
                    "--glob", "{" + ",".join(site_pages) + "}", "--quiet"], check=True)
    every = _fragments(output / ".every")
    assert _fragments(output / "pagefind") == every
    assert len(every) == len(marked)


def test_a_site_that_marks_no_body_has_every_page_indexed(tmp_path):
    for rel, body in (("index.html", "<body>home</body>"), ("topics/a/index.html", "<body>a</body>"),
                      ("posts/x/index.html", "<body>post</body>")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    assert search._site_pages(str(tmp_path), "posts") == ["index.html", "topics/a/index.html"]
    (tmp_path / "topics/a/index.html").write_text("<body><div data-pagefind-body>a</div></body>")
    assert search._site_pages(str(tmp_path), "posts") == ["topics/a/index.html"]


def test_parallel_reading_and_the_read_cache_give_the_same_site(tmp_path):
    """Markdown read on two forked workers, then from the cache, equals a serial read."""
    shutil.copytree(EXAMPLE, tmp_path / "content")
    content = tmp_path / "content"

    def build(name, **overrides):
        output = tmp_path / name / "output"
        settings = settings_for(content, output, EMINENCE_SEARCH=False, EMINENCE_INCREMENTAL=False,
                                **overrides)
        runner.build(settings)
        return _tree(output), last_read(settings)

    serial, cache = build("serial", EMINENCE_WORKERS=1, EMINENCE_READ_CACHE=False)
    assert cache.hits == cache.parallel == 0
    parallel, cache = build("parallel", EMINENCE_WORKERS=2, EMINENCE_PARALLEL_MIN=1)
    assert cache.parallel >= 40 and cache.hits >= 40  # every post read by a worker, then found
    assert parallel == serial
    again, cache = build("parallel", EMINENCE_WORKERS=2, EMINENCE_PARALLEL_MIN=1)
    assert cache.misses == cache.parallel == 0 and again == serial  # all from the cache
    # A changed Markdown setting invalidates the cache: the posts are read again.
    _, cache = build("parallel", EMINENCE_WORKERS=2, EMINENCE_PARALLEL_MIN=1,
                     MARKDOWN={"extension_configs": {"markdown.extensions.extra": {}},
                               "output_format": "html5"})
    assert cache.parallel >= 40


def test_a_build_that_dies_leaves_nothing_stale_behind(tmp_path):
    """New pages written by a build that crashed before saving its record are still
    removed by the next build when their post is gone."""
    from pelican import signals

    shutil.copytree(EXAMPLE, tmp_path / "content")
    content, output = tmp_path / "content", tmp_path / "output"

    def build():
        runner.build(settings_for(content, output, EMINENCE_SEARCH=False, EMINENCE_WORKERS=1))

    build()
    (content / "posts/hannah-vogel/doomed.md").write_text(
        "Title: Doomed\nDate: 2026-11-21\nExpert: hannah-vogel\nTopics: grid-reliability\n\nGone soon.\n",
        encoding="utf-8")

    def crash(path, context):
        if "doomed" in path:
            raise RuntimeError("killed mid-build")

    signals.content_written.connect(crash)
    try:
        with pytest.raises(RuntimeError, match="killed mid-build"):
            build()
    finally:
        signals.content_written.disconnect(crash)
    assert (output / "posts/hannah-vogel/doomed/index.html").exists()
    (content / "posts/hannah-vogel/doomed.md").unlink()
    build()
    assert not (output / "posts/hannah-vogel/doomed").exists()
    clean = tmp_path / "clean"
    runner.build(settings_for(content, clean / "output", EMINENCE_SEARCH=False, EMINENCE_INCREMENTAL=False))
    assert _tree(output) == _tree(clean / "output")


def test_a_fresh_clone_with_the_cache_restored_renders_only_what_changed(tmp_path):
    """CI's build: yesterday's cache and output restored into a new checkout (another
    absolute path, every file with a new modification time), one post edited."""
    first = tmp_path / "first"
    shutil.copytree(EXAMPLE, first / "content")

    def build(base: Path, incremental=True):
        settings = settings_for(base / "content", base / "output", EMINENCE_SEARCH=False,
                                EMINENCE_INCREMENTAL=incremental, EMINENCE_WORKERS=1)
        runner.build(settings)
        return build_state(settings).writer, last_read(settings)

    build(first)
    clone = tmp_path / "clone"
    shutil.copytree(first, clone, copy_function=shutil.copy)  # new mtimes, new path
    _append(clone / "content/posts/hannah-vogel/reliability-culture-is-a-habit.md", "A fix.")
    writer, cache = build(clone)
    assert cache.misses == 1  # only the edited post is read again
    assert 0 < writer.rendered < writer.skipped and len(writer.changed) < 15
    reference = tmp_path / "reference"
    shutil.copytree(clone / "content", reference / "content")
    build(reference, incremental=False)
    assert _tree(clone / "output") == _tree(reference / "output")

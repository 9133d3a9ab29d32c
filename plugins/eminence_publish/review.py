"""invoke content-checks: the checks a content change must pass, as one report.

Runs the same commands an editor or CI runs (`invoke check`, `invoke build`,
`invoke check-site`), each in its own process, so the report says exactly what
those commands say. The scheduled pull puts the report at the top of its pull
request, because a pull request opened with the workflow's own token starts no
other workflow: without this, the one pull request editors most need checked
would arrive unchecked. Every check runs even after one fails (the editor wants
every problem at once); a check whose input is missing says so instead of failing
for a reason nobody can act on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

# (what the check is, the invoke command, the check it needs to have passed)
CHECKS = (
    ("Content is valid", ("check",), None),
    ("The showcase builds", ("build",), "Content is valid"),  # else it repeats check's messages
    ("Links, anchors, feeds and HTML are sound", ("check-site",), "The showcase builds"),
)
OUTPUT_LINES = 40  # of a failed check's output, in the report


@dataclass(frozen=True)
class CheckResult:
    name: str
    command: str
    passed: bool | None  # None: not run (what it needs failed)
    seconds: float
    output: str

    @property
    def mark(self) -> str:
        return {True: "✅ passed", False: "❌ failed", None: "⏭️ not run"}[self.passed]


def run_checks(project: str, settings: str = "pelicanconf.py") -> list[CheckResult]:
    results: dict[str, CheckResult] = {}
    for name, args, needs in CHECKS:
        command = "invoke " + " ".join(args)
        if needs and not results[needs].passed:
            results[name] = CheckResult(name, command, None, 0.0, f"not run: '{needs}' did not pass")
            continue
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "invoke", *args, "--settings", settings],
                             cwd=project, capture_output=True, text=True)
        results[name] = CheckResult(name, command, run.returncode == 0, time.monotonic() - started,
                                    (run.stdout + run.stderr).strip())
    return list(results.values())


def report(results: list[CheckResult]) -> str:
    """Markdown for the top of a pull request's description."""
    failed = [r for r in results if r.passed is False]
    verdict = (f"❌ {len(failed)} of {len(results)} checks failed: fix them before merging."
               if failed else "✅ Every content check passed.")
    out = ["## Checks", "", verdict, "", "| check | command | result |", "|---|---|---|"]
    out += [f"| {r.name} | `{r.command}` | {r.mark} ({r.seconds:.0f} s) |" for r in results]
    for r in failed:
        tail = r.output.splitlines()[-OUTPUT_LINES:]
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", r.output)), default=0))
        out += ["", f"<details open><summary>{r.name}: <code>{r.command}</code> said</summary>", "",
                fence, *tail, fence, "", "</details>"]
    return "\n".join(out) + "\n"


def write_report(path: str, results: list[CheckResult]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(report(results))

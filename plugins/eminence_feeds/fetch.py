"""Fetching feeds like a good citizen: conditional GET, gzip, size cap, deadline,
redirects with a loop limit, 410 and Retry-After honoured.

urllib in a thread pool: on loopback it is ~10x faster than httpx's async client
and needs no dependency (shared/MEASUREMENTS.md). Redirects are followed by hand
so permanent moves (301/308) can be recorded for the editor.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

CHUNK = 64 * 1024


@dataclass
class FetchResult:
    url: str
    status: int | None = None  # HTTP status; 200 for a local file
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    moved_to: str | None = None  # final URL after only permanent redirects
    gone: bool = False
    retry_at: float | None = None  # epoch seconds before which not to ask again
    error: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # surfaces 3xx as HTTPError, handled in Fetcher


class FetchError(Exception):
    pass


def is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme
    return scheme in ("", "file")


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    def __init__(self, user_agent: str, timeout: float = 10.0, max_bytes: int = 5 * 1024 * 1024,
                 max_redirects: int = 5, max_retry_wait: float = 5.0, local_root: str | None = None):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_retry_wait = max_retry_wait
        self.local_root = local_root  # None: local files are not allowed
        self.opener = urllib.request.build_opener(_NoRedirect)

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        if is_local(url):
            return self._fetch_local(url)
        try:
            return self._fetch_http(url, etag, last_modified, retried=False)
        except FetchError as exc:
            return FetchResult(url, error=str(exc))

    # -- local files (the offline example; only when a setting allows) ------

    def _fetch_local(self, url: str) -> FetchResult:
        if self.local_root is None:
            return FetchResult(url, error="local feed files are not allowed (set "
                                          "EMINENCE_ALLOW_LOCAL_FEEDS = True to allow them)")
        path = urlsplit(url).path if url.startswith("file:") else url
        root = os.path.realpath(self.local_root)
        full = os.path.realpath(os.path.join(root, path))
        if not full.startswith(root + os.sep):
            return FetchResult(url, error=f"local feed {path!r} is outside {root}")
        try:
            with open(full, "rb") as fh:
                body = fh.read(self.max_bytes + 1)
        except OSError as exc:
            return FetchResult(url, error=f"cannot read local feed: {exc.strerror or exc}")
        if len(body) > self.max_bytes:
            return FetchResult(url, error=f"feed larger than {self.max_bytes} bytes")
        # Files have no Content-Type header; feedparser would call that malformed.
        return FetchResult(url, status=200, body=body, content_type="application/xml")

    # -- HTTP ------------------------------------------------------------------

    def _fetch_http(self, url, etag, last_modified, retried) -> FetchResult:
        current, seen, all_permanent = url, {url}, True
        deadline = time.monotonic() + self.timeout * 3
        for _ in range(self.max_redirects + 1):
            headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip",
                       "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
                                 "text/xml;q=0.8, */*;q=0.5"}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            request = urllib.request.Request(current, headers=headers)
            try:
                response = self.opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                code = exc.code
                exc_headers = exc.headers
                exc.close()
                if code in (301, 302, 303, 307, 308):
                    location = exc_headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {code} redirect without a Location") from None
                    nxt = urljoin(current, location)
                    if nxt in seen:
                        raise FetchError(f"redirect loop at {nxt}") from None
                    if urlsplit(nxt).scheme not in ("http", "https"):
                        raise FetchError(f"redirect to a non-HTTP URL: {nxt}") from None
                    seen.add(nxt)
                    all_permanent = all_permanent and code in (301, 308)
                    current = nxt
                    continue
                moved = current if all_permanent and current != url else None
                if code == 304:
                    return FetchResult(url, status=304, not_modified=True, moved_to=moved,
                                       etag=etag, last_modified=last_modified)
                if code == 410:
                    return FetchResult(url, status=410, gone=True, moved_to=moved,
                                       error="HTTP 410 Gone: the feed was removed; it will not be "
                                             "fetched again")
                if code in (429, 503):
                    wait = retry_after_seconds(exc_headers.get("Retry-After"))
                    if wait is not None and wait <= self.max_retry_wait and not retried:
                        time.sleep(wait)
                        return self._fetch_http(url, etag, last_modified, retried=True)
                    if wait is None:  # no Retry-After: an ordinary failure, tried next pull
                        return FetchResult(url, status=code, moved_to=moved, error=f"HTTP {code}")
                    return FetchResult(url, status=code, moved_to=moved,
                                       retry_at=time.time() + wait,
                                       error=f"HTTP {code}: asked to retry after {int(wait)} s")
                return FetchResult(url, status=code, moved_to=moved, error=f"HTTP {code}")
            except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, timeouts: OSError
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"cannot fetch: {reason}") from None
            with response:
                body = self._read(response, deadline)
                moved = current if all_permanent and current != url else None
                return FetchResult(url, status=response.status, body=body,
                                   content_type=response.headers.get("Content-Type"),
                                   etag=response.headers.get("ETag"),
                                   last_modified=response.headers.get("Last-Modified"),
                                   moved_to=moved)
        raise FetchError(f"more than {self.max_redirects} redirects")

    def _read(self, response, deadline: float) -> bytes:
        gz = "gzip" in (response.headers.get("Content-Encoding") or "").lower()
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and not gz and int(declared) > self.max_bytes:
            raise FetchError(f"feed larger than {self.max_bytes} bytes (Content-Length {declared})")
        parts, size, received = [], 0, 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("timed out while reading the feed")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                received += len(chunk)
                if inflater is not None:
                    # max_length bounds what one chunk may inflate to: no gzip bombs.
                    chunk = inflater.decompress(chunk, self.max_bytes + 1 - size)
                    if inflater.unconsumed_tail:
                        raise FetchError(f"feed larger than {self.max_bytes} bytes once unzipped")
                parts.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"feed larger than {self.max_bytes} bytes")
        except TimeoutError:
            raise FetchError("timed out while reading the feed") from None
        except zlib.error as exc:
            raise FetchError(f"bad gzip data: {exc}") from None
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            raise FetchError(f"connection failed while reading: {exc!r}") from None
        # read(n) returns a short body, not an error, when the server hangs up early.
        if declared and declared.isdigit() and received < int(declared):
            raise FetchError(f"connection closed after {received} of {declared} bytes")
        if inflater is not None and not inflater.eof:
            raise FetchError("gzip stream ended early")
        return b"".join(parts)

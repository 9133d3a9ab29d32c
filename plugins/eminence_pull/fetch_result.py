"""What a fetch came to (shared by the fetcher and its per-host scheduler)."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from enum import Enum


class FetchKind(Enum):
    """What a fetch came to; the pull branches on this, never on message text."""

    OK = "ok"  # a body to parse
    NOT_MODIFIED = "not modified"  # 304: nothing to do
    SKIPPED = "skipped"  # not asked at all: gone earlier, or asked to wait (set by the pull)
    GONE = "gone"  # 410: never fetched again
    RETRY_LATER = "retry later"  # 429/503 with a Retry-After too long to wait for now
    FAILED = "failed"  # any other error: tried again next pull
    DEFERRED = "deferred"  # not asked: its host asked to wait or stopped answering (hosts.py)


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
    kind: FetchKind | None = None  # None: decided from the fields above, once, below

    def __post_init__(self):
        if self.kind is None:
            self.kind = (FetchKind.GONE if self.gone else
                         FetchKind.RETRY_LATER if self.retry_at else
                         FetchKind.FAILED if self.error else
                         FetchKind.NOT_MODIFIED if self.not_modified else FetchKind.OK)


def done(result: FetchResult) -> concurrent.futures.Future:
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_result(result)
    return future

"""Politeness per host: which fetch runs when.

Thousands of experts sit on a few shared platforms (medium.com, substack.com, one
Mastodon instance). The fetcher's threads are many, so that many distinct hosts are
fetched at once, but at most `per_host` exchanges are in flight to any one host, and a
host that asks to wait is paused as a whole:

- 429/503 with Retry-After: no request to that host until then. The exchange that was
  told to wait is tried once more after a short wait (up to `max_wait`); after a longer
  one it is reported as such, and every feed still queued for the host is *deferred*:
  reported, not fetched, and fetched by the next pull.
- `timeouts_to_give_up` timeouts in a row from one host: it is not answering; its
  queued feeds are deferred too, rather than each waiting out its own timeout.

Invariants: a job's future is resolved exactly once; a host never has more than
`per_host` jobs running; a paused host's jobs start only after its pause.
"""

from __future__ import annotations

import collections
import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .fetch_result import FetchKind, FetchResult


@dataclass
class Job:
    host: str
    url: str
    run: Callable[[], FetchResult]
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    retried: bool = False


@dataclass
class HostState:
    queue: collections.deque = field(default_factory=collections.deque)
    running: int = 0
    paused_until: float = 0.0  # time.monotonic()
    timeouts: int = 0  # in a row
    deferred_because: str | None = None  # set: every job still queued is deferred
    retry_at: float | None = None  # epoch seconds the host asked us to wait until


class HostScheduler:
    def __init__(self, pool: concurrent.futures.Executor, per_host: int, max_wait: float,
                 timeouts_to_give_up: int = 3):
        self.pool = pool
        self.per_host = max(1, per_host)
        self.max_wait = max_wait
        self.timeouts_to_give_up = timeouts_to_give_up
        self.hosts: dict[str, HostState] = collections.defaultdict(HostState)
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._closed = False

    def submit(self, host: str, url: str, run: Callable[[], FetchResult]) -> concurrent.futures.Future:
        job = Job(host, url, run)
        with self._lock:
            state = self.hosts[host]
            if state.deferred_because:
                job.future.set_result(self._deferred(job, state.deferred_because, state.retry_at))
                return job.future
            state.queue.append(job)
            self._start_ready(host, state)
        return job.future

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for timer in self._timers:
                timer.cancel()
            for state in self.hosts.values():
                while state.queue:
                    job = state.queue.popleft()
                    job.future.set_result(self._deferred(job, "the pull stopped before its turn"))

    # -- under the lock ------------------------------------------------------------

    def _start_ready(self, host: str, state: HostState) -> None:
        if self._closed:
            return
        wait = state.paused_until - time.monotonic()
        if wait > 0:
            if state.queue and state.running == 0:
                self._wake_later(host, wait)
            return
        while state.queue and state.running < self.per_host:
            job = state.queue.popleft()
            state.running += 1
            self.pool.submit(self._run, job)

    def _wake_later(self, host: str, wait: float) -> None:
        timer = threading.Timer(wait, self._wake, (host,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _wake(self, host: str) -> None:
        with self._lock:
            self._start_ready(host, self.hosts[host])

    def _defer_queue(self, state: HostState, why: str, retry_at: float | None = None) -> None:
        state.deferred_because, state.retry_at = why, retry_at
        while state.queue:
            job = state.queue.popleft()
            job.future.set_result(self._deferred(job, why, retry_at))

    @staticmethod
    def _deferred(job: Job, why: str, retry_at: float | None = None) -> FetchResult:
        return FetchResult(job.url, kind=FetchKind.DEFERRED, retry_at=retry_at,
                           error=f"deferred: {why}; a later pull fetches it")

    # -- a worker thread -----------------------------------------------------------

    def _run(self, job: Job) -> None:
        result = failure = outcome = None
        try:
            result = job.run()
        except BaseException as exc:  # noqa: BLE001 - the future carries it to the caller
            failure = exc
        with self._lock:
            state = self.hosts[job.host]
            state.running -= 1
            if failure is None:
                outcome = self._after(job, state, result)
            self._start_ready(job.host, state)
        if failure is not None:
            job.future.set_exception(failure)
        elif outcome is not None:
            job.future.set_result(outcome)

    def _after(self, job: Job, state: HostState, result: FetchResult) -> FetchResult | None:
        """The job's result, or None when it was queued again (after the host's pause)."""
        if result.retry_at:  # 429/503 with Retry-After: the whole host waits
            wait = max(0.0, result.retry_at - time.time())
            state.paused_until = max(state.paused_until, time.monotonic() + wait)
            if wait <= self.max_wait and not job.retried:
                job.retried = True
                state.queue.appendleft(job)
                return None
            if wait > self.max_wait:
                self._defer_queue(state, f"{job.host} asked us to wait {int(wait)} s", result.retry_at)
            return result
        if result.error == "timed out":
            state.timeouts += 1
            if state.timeouts >= self.timeouts_to_give_up:
                self._defer_queue(state, f"{job.host} timed out {state.timeouts} times in a row")
        elif result.status is not None:
            state.timeouts = 0  # it answers
        return result


def interleave_by_host(items: list, host_of: Callable[[object], str]) -> list:
    """items reordered so each host's feeds are spread evenly through the list: the k-th
    of a host's n feeds goes (k + 1/2)/n of the way (stride scheduling; a host's only
    feed halfway), busiest host first among equals. The pull applies results
    in list order within a bounded window, so the busiest host, which sets the pull's
    length, must have feeds waiting from the first second to the last; round-robin
    would put most of its feeds at the end. Deterministic; each host's own order kept."""
    by_host: dict[str, list] = {}
    for item in items:
        by_host.setdefault(host_of(item), []).append(item)
    hosts = sorted(by_host.values(), key=len, reverse=True)  # stable: ties keep their order
    keyed = [((k + 0.5) / len(feeds), rank, k, item) for rank, feeds in enumerate(hosts)
             for k, item in enumerate(feeds)]
    return [item for *_, item in sorted(keyed, key=lambda row: row[:3])]

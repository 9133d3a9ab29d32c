"""The pull against a real HTTP server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import gzip
import time

import pytest

from eminence_model import ContentError
from feedserver import Response, atom, one_entry


def test_pull_writes_a_draft_post_with_metadata(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1), one_entry(2)])))
    site.set_expert("cy", [url])
    summary = site.pull()
    assert (summary.fetched, summary.new, summary.failed) == (1, 2, 0)
    meta = site.meta("cy", "post-number-1.md")
    assert meta == {"Title": "Post number 1", "Date": "2026-05-01T10:00:00+00:00", "Expert": "cy",
                    "Topics": "ai", "Kind": "article", "Original": "https://blog.example.com/1",
                    "Status": "draft", "Feed": url}
    assert "Machine learning note 1." in site.posts()["post-number-1.md"]
    ua = dict(feeds.requests[0][1])["User-Agent"]
    assert ua.startswith("Eminence/") and "Kestrel Works" in ua


def test_trusted_expert_publishes_directly(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url], trusted=True)
    site.pull()
    assert site.meta("cy", "post-number-1.md")["Status"] == "published"
    out = site.build()
    assert (out / "posts/cy/post-number-1/index.html").is_file()


def test_drafts_pulled_are_absent_from_the_public_build(site, feeds):
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1)])))])
    site.pull()
    out = site.build()
    assert not (out / "posts/cy/post-number-1").exists()
    assert "Post number 1" not in "".join(p.read_text() for p in out.rglob("*.html"))


def test_failures_are_reported_and_never_delete_posts(site, feeds):
    good = feeds.add("/good.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [good])
    site.pull()
    before = site.posts()
    feeds.add("/good.xml", Response("boom", status=500, content_type="text/plain"))
    missing = feeds.url("/missing.xml")
    site.set_expert("cy", [good, missing])
    summary = site.pull()
    assert summary.failed == 2 and summary.new == 0
    messages = {u: m for _, u, m in summary.problems}
    assert messages == {good: "HTTP 500", missing: "HTTP 404"}
    assert site.posts() == before
    assert site.health()[good]["error"] == "HTTP 500"
    assert site.health()[good]["failing_since"]


def test_empty_feed_deletes_nothing(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    feeds.add("/cy.xml", Response(atom([])))
    summary = site.pull()
    assert summary.failed == 0 and summary.new == 0
    assert "post-number-1.md" in site.posts()


@pytest.mark.parametrize(("slow_response", "timeout", "limit"), [
    ({"delay": 3}, 0.5, 2.5),  # no answer within the socket timeout
    # Every byte in time; only the whole exchange's deadline (three timeouts) stops it.
    ({"trickle": 0.2}, 1, 8),
    # No length, the connection closing at the end: http.client hands the socket to the
    # response (conn.sock is None), and the deadline must still reach it.
    ({"trickle": 0.2, "no_length": True}, 1, 8),
], ids=["silent", "trickling", "trickling-without-length"])
def test_slow_servers_time_out_and_other_feeds_still_pull(site, feeds, slow_response, timeout, limit):
    slow = feeds.add("/slow.xml", Response(atom([one_entry(1)]), **slow_response))
    fast = feeds.add("/fast.xml", Response(atom([one_entry(2)])))
    site.set_expert("cy", [slow, fast])
    started = time.monotonic()
    summary = site.pull(EMINENCE_PULL_TIMEOUT=timeout)
    assert time.monotonic() - started < limit
    assert summary.new == 1 and summary.failed == 1
    assert dict((u, m) for _, u, m in summary.problems)[slow] == "timed out"


def test_gone_feed_is_marked_dead_and_not_fetched_again(site, feeds):
    url = feeds.add("/gone.xml", Response("", status=410, content_type="text/plain"))
    site.set_expert("cy", [url])
    first = site.pull()
    assert "410 Gone" in first.problems[0][2]
    assert site.health()[url]["gone"] is True
    site.pull()
    assert feeds.hits["/gone.xml"] == 1


def test_permanent_redirects_are_followed_and_reported(site, feeds):
    new = feeds.add("/new.xml", Response(atom([one_entry(1)])))
    old = feeds.add("/old.xml", Response("", status=301, headers={"Location": "/mid.xml"}))
    feeds.add("/mid.xml", Response("", status=308, headers={"Location": new}))
    temp = feeds.add("/temp.xml", Response("", status=302, headers={"Location": "/new.xml"}))
    site.set_expert("cy", [old, temp])
    summary = site.pull()
    assert summary.moved == [("cy", old, new)]  # a 302 is not a move to adopt
    assert site.health()[old]["moved_to"] == new
    assert summary.new == 1  # both feeds are one feed: no duplicate


def test_redirect_loop_is_an_error(site, feeds):
    a = feeds.add("/a.xml", Response("", status=302, headers={"Location": "/b.xml"}))
    feeds.add("/b.xml", Response("", status=302, headers={"Location": "/a.xml"}))
    site.set_expert("cy", [a])
    summary = site.pull()
    assert "redirect loop" in summary.problems[0][2]


def test_conditional_get_costs_nothing(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)]), etag='"v1"'))
    site.set_expert("cy", [url])
    site.pull()
    second = site.pull()
    assert (second.fetched, second.not_modified) == (0, 1)
    assert feeds.requests[-1][1].get("If-None-Match") == '"v1"'


def test_identical_body_is_not_parsed_again(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))  # no ETag, no Last-Modified
    site.set_expert("cy", [url])
    site.pull()
    second = site.pull()
    assert (second.fetched, second.not_modified, second.skipped) == (0, 1, 0)


def test_kept_alive_connections_are_reused_or_replaced_when_the_server_dropped_them(site, feeds):
    urls = [feeds.add(f"/{n}.xml", Response(atom([one_entry(n)]), drop_connection=n % 2 == 0,
                                            etag=f'"{n}"'))
            for n in range(1, 7)]
    site.set_expert("cy", urls)
    summary = site.pull(EMINENCE_PULL_WORKERS=1)  # one thread: each request reuses its connection
    assert summary.new == 6 and summary.problems == []
    again = site.pull(EMINENCE_PULL_WORKERS=1)  # 304s: no body, the connection stays usable
    assert again.not_modified == 6 and again.problems == []


def test_retry_after_short_is_waited_for(site, feeds):
    calls = []

    def limited(handler):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("", status=429, headers={"Retry-After": "1"}, content_type="text/plain")
        return Response(atom([one_entry(1)]))

    site.set_expert("cy", [feeds.add("/cy.xml", limited)])
    summary = site.pull()
    assert summary.new == 1 and len(calls) == 2
    assert calls[1] - calls[0] >= 0.9


def test_retry_after_long_is_honoured_across_pulls(site, feeds):
    url = feeds.add("/cy.xml", Response("", status=503, headers={"Retry-After": "3600"},
                                        content_type="text/plain"))
    site.set_expert("cy", [url])
    first = site.pull()
    assert "retry after 3600 s" in first.problems[0][2]
    second = site.pull()
    assert feeds.hits["/cy.xml"] == 1
    assert "asked us to wait until" in second.problems[0][2]


def test_gzip_is_accepted(site, feeds):
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1)]), gzip=True))])
    assert site.pull().new == 1
    assert "gzip" in feeds.requests[0][1]["Accept-Encoding"]


def test_oversized_and_gzip_bomb_are_refused(site, feeds):
    big = feeds.add("/big.xml", Response(b"x" * 200_000))
    bomb_body = b"<feed>" + b" " * 5_000_000 + b"</feed>"
    bomb = feeds.add("/bomb.xml", Response(bomb_body, gzip=True))
    site.set_expert("cy", [big, bomb])
    summary = site.pull(EMINENCE_PULL_MAX_BYTES=100_000)
    assert len(gzip.compress(bomb_body)) < 100_000  # small on the wire, huge unzipped
    problems = dict((u, m) for _, u, m in summary.problems)
    assert "larger than 100000 bytes" in problems[big]
    assert "unzipped" in problems[bomb] or "larger than" in problems[bomb]


def test_truncated_response_is_an_error(site, feeds):
    site.set_expert("cy", [feeds.add("/cut.xml", Response(atom([one_entry(1)]), truncate_length=True))])
    summary = site.pull(EMINENCE_PULL_TIMEOUT=1)
    assert summary.failed == 1 and summary.new == 0


def test_local_files_need_the_setting(site, tmp_path):
    feed = site.content.parent / "feeds" / "cy.xml"
    feed.parent.mkdir()
    feed.write_text(atom([one_entry(1)]))
    site.set_expert("cy", ["feeds/cy.xml"])
    with pytest.raises(ContentError, match="not a valid http"):
        site.pull(EMINENCE_ALLOW_LOCAL_FEEDS=False)
    summary = site.pull(EMINENCE_ALLOW_LOCAL_FEEDS=True)
    assert summary.new == 1
    site.set_expert("cy", ["../../etc/passwd"])
    with pytest.raises(ContentError):
        site.pull(EMINENCE_ALLOW_LOCAL_FEEDS=True)


def test_a_body_that_names_a_local_file_is_not_read(site, feeds, tmp_path):
    # feedparser.parse(bytes) opens the bytes as a path when such a file exists: a
    # hostile server could make the pull read a feed from this machine's disk.
    local = tmp_path / "on-this-machine.xml"
    local.write_text(atom([one_entry(1, title="Read from the local disk")]))
    site.set_expert("cy", [feeds.add("/cy.xml", Response(str(local).encode()))])
    summary = site.pull()
    assert summary.new == 0 and site.posts() == {}
    assert "not a feed" in summary.problems[0][2]


def test_offline_pull_uses_the_fetch_cache(site, feeds):
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    site.set_expert("cy", [url])
    site.pull()
    (site.content / "posts/cy/post-number-1.md").unlink()
    (site.content / "_pull/ledger.json").unlink()
    (site.content / "_pull/health.json").unlink()
    feeds.close()
    summary = site.pull(offline=True)
    assert summary.new == 1 and summary.failed == 0


def test_silent_experts_are_flagged(site, feeds):
    old = feeds.add("/old.xml", Response(atom([one_entry(1, updated="2025-01-05T10:00:00Z")])))
    fresh = feeds.add("/fresh.xml", Response(atom([one_entry(2, updated="2026-11-01T10:00:00Z")])))
    site.set_expert("cy", [old])
    site.set_expert("ada", [fresh], trusted=True)
    summary = site.pull(EMINENCE_EXPERT_SILENT_MONTHS=6)
    assert summary.silent_experts == [("cy", "2025-01-05")]
    assert "Experts silent for a long time (consider Status: alumni):" in summary.lines()
    assert site.pull(EMINENCE_EXPERT_SILENT_MONTHS=36).silent_experts == []


def test_feeds_failing_for_days_are_flagged(site, feeds):
    import json

    url = feeds.add("/down.xml", Response("down", status=503, content_type="text/plain"))
    site.set_expert("cy", [url])
    assert site.pull().failing_feeds == []  # failing since today: not yet worth a flag
    health_file = site.content / "_pull" / "health.json"
    health = json.loads(health_file.read_text())
    health[url]["failing_since"] = "2026-01-01T00:00:00+00:00"
    health_file.write_text(json.dumps(health))
    summary = site.pull(EMINENCE_FEED_FAILING_DAYS=7)
    assert summary.failing_feeds == [("cy", url, "2026-01-01")]
    feeds.add("/down.xml", Response(atom([one_entry(1)])))
    assert site.pull().failing_feeds == []  # a success clears it


def test_pull_on_build_setting(site, feeds):
    site.set_expert("cy", [feeds.add("/cy.xml", Response(atom([one_entry(1)])))], trusted=True)
    out = site.build()
    assert not (out / "posts/cy/post-number-1").exists()  # off by default: committed Markdown only
    out = site.build(EMINENCE_PULL_ON_BUILD=True)
    assert (out / "posts/cy/post-number-1/index.html").is_file()
    assert "post-number-1.md" in site.posts()


def test_progress_is_a_bar_on_a_terminal_and_a_line_per_tenth_in_logs():
    import io

    from eminence_pull.summary import progress_printer

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    log, terminal = io.StringIO(), Terminal()
    for stream in (log, terminal):
        report = progress_printer(stream)
        for n in range(1, 1001):
            report(n, 1000)
    assert log.getvalue().splitlines() == [f"  pulled {n}/1000 feeds" for n in (1, *range(100, 1001, 100))]
    assert terminal.getvalue().count("\r") == 101  # redrawn once per percent, not per feed
    assert terminal.getvalue().endswith("[##############################] 1000/1000 feeds\n")


def test_a_fetch_thread_keeps_only_a_few_connections_open(feeds, monkeypatch):
    # Most feeds are on hosts of their own; open connections to all of them would
    # exhaust file descriptors on a large pull.
    from eminence_pull import fetch
    from eminence_pull.netguard import AddressGuard, parse_networks

    monkeypatch.setattr(fetch, "IDLE_PER_THREAD", 1)
    url = feeds.add("/cy.xml", Response(atom([one_entry(1)])))
    aliases = [url, url.replace("127.0.0.1", "localhost")]  # two hosts, as far as keys go
    loopback = AddressGuard(parse_networks(["127.0.0.0/8"]))
    with fetch.Fetcher("test", timeout=5, concurrency=1, guard=loopback) as fetcher:
        for n in range(6):
            assert fetcher.submit(aliases[n % 2]).result().status == 200
            open_now = [c for c in fetcher._opened if c.sock is not None]
            assert len(open_now) <= 1, open_now

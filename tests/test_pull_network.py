"""The fetcher at scale: polite per host, and closed to internal addresses.

Servers are on 127.0.0.1 (and 'localhost', a second host as far as politeness goes).
Refusal tests stub the resolver and the connect step: if the guard were broken, the
attempt to reach a refused address fails the test; it never leaves the machine.
"""

from __future__ import annotations

import socket
import time

import pytest

from feedserver import Response, atom, one_entry


def entries_feed(n: int) -> Response:
    return Response(atom([one_entry(n)]), delay=0.1)


# -- politeness --------------------------------------------------------------------


def test_a_burst_of_50_feeds_on_one_host_never_exceeds_the_per_host_limit(site, feeds):
    many = [feeds.add(f"/a{i}.xml", entries_feed(i)) for i in range(50)]
    other = [feeds.add(f"/b{i}.xml", entries_feed(100 + i)).replace("127.0.0.1", "localhost")
             for i in range(10)]
    site.set_expert("cy", many + other)
    summary = site.pull(EMINENCE_PULL_PER_HOST=2, EMINENCE_PULL_WORKERS=16)
    assert summary.new == 60 and summary.failed == 0
    assert feeds.peak["127.0.0.1"] == 2 and feeds.peak["localhost"] == 2  # the limit, reached
    assert feeds.peak_total >= 3  # ...while other hosts went on in parallel


def test_the_per_host_limit_is_a_setting(site, feeds):
    urls = [feeds.add(f"/a{i}.xml", entries_feed(i)) for i in range(12)]
    site.set_expert("cy", urls)
    site.pull(EMINENCE_PULL_PER_HOST=4)
    assert feeds.peak["127.0.0.1"] == 4


def test_retry_after_pauses_the_whole_host_then_fetches_everything(site, feeds):
    told = {}

    def busy_once(handler):
        if not told:
            told["at"] = time.monotonic()
            return Response("slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain")
        return Response(atom([one_entry(int(handler.path[2:-4]))]))

    urls = [feeds.add(f"/a{i}.xml", busy_once) for i in range(6)]
    site.set_expert("cy", urls)
    summary = site.pull(EMINENCE_PULL_PER_HOST=1)
    assert summary.new == 6 and summary.failed == 0 and not summary.deferred
    later = [at for _, at in feeds.started if at > told["at"]]
    assert later and min(later) - told["at"] >= 0.95  # nobody asked the host during its pause
    assert len(feeds.started) == 7  # six feeds, one asked twice


def test_a_long_retry_after_defers_the_hosts_feeds_and_loses_nothing(site, feeds):
    state = {"busy": True}

    def busy(handler):
        if state["busy"]:
            return Response("later", status=429, headers={"Retry-After": "3600"}, content_type="text/plain")
        return Response(atom([one_entry(int(handler.path[2:-4]))]))

    urls = [feeds.add(f"/a{i}.xml", busy) for i in range(5)]
    elsewhere = feeds.add("/b.xml", Response(atom([one_entry(99)]))).replace("127.0.0.1", "localhost")
    site.set_expert("cy", [*urls, elsewhere])
    summary = site.pull(EMINENCE_PULL_PER_HOST=1)
    assert summary.new == 1  # the other host's feed
    assert feeds.hits["/a0.xml"] == 1 and sum(feeds.hits[f"/a{i}.xml"] for i in range(1, 5)) == 0
    assert sorted(u for _, u, _ in summary.deferred) == sorted(urls[1:])
    assert all("127.0.0.1 asked us to wait 3599 s" in m or "asked us to wait 3600 s" in m
               for _, _, m in summary.deferred)
    assert any(line.startswith("Deferred (4: their host asked us to wait") for line in summary.lines())
    assert all(site.health()[u].get("retry_at") for u in urls)  # the next pull waits too
    assert not any(site.health()[u].get("failing_since") for u in urls[1:])  # not failures
    state["busy"] = False
    after = site.pull(force=True)  # as the next pull once the wait is over
    assert after.new == 5 and not after.deferred


def test_a_host_that_keeps_timing_out_has_its_other_feeds_deferred(site, feeds):
    hole = Response(atom([one_entry(1)]), delay=3)
    urls = [feeds.add(f"/a{i}.xml", hole) for i in range(8)]
    site.set_expert("cy", urls)
    started = time.monotonic()
    summary = site.pull(EMINENCE_PULL_PER_HOST=1, EMINENCE_PULL_TIMEOUT=0.3,
                        EMINENCE_PULL_HOST_TIMEOUTS=3)
    assert time.monotonic() - started < 5  # not eight timeouts one after another
    assert summary.failed == 3 and len(summary.deferred) == 5
    assert all("127.0.0.1 timed out 3 times in a row" in m for _, _, m in summary.deferred)


# -- the address guard ------------------------------------------------------------


REFUSED = {
    "http://127.0.0.2/feed.xml": "127.0.0.2 is a loopback address",
    "http://[::1]/feed.xml": "::1 is a loopback address",
    "http://10.0.0.5/feed.xml": "10.0.0.5 is a private address",
    "http://172.16.3.4/feed.xml": "172.16.3.4 is a private address",
    "http://192.168.1.10/feed.xml": "192.168.1.10 is a private address",
    "http://[fd00::5]/feed.xml": "fd00::5 is a unique-local IPv6 address",
    "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
    "http://[fe80::1]/feed.xml": "fe80::1 is a link-local address",
    "http://100.64.0.1/feed.xml": "100.64.0.1 is a shared (CGNAT) address",
    "http://224.0.0.1/feed.xml": "224.0.0.1 is a multicast address",
    "http://[ff02::1]/feed.xml": "ff02::1 is a multicast address",
    "http://0.0.0.0/feed.xml": "0.0.0.0 is the unspecified address",
    "http://[::]/feed.xml": ":: is the unspecified address",
    "http://[::ffff:10.0.0.5]/feed.xml": "the IPv4-mapped form of 10.0.0.5, a private address",
    "http://[::ffff:169.254.169.254]/x": "the IPv4-mapped form of 169.254.169.254, a link-local address",
    "http://intranet.test/feed.xml": "10.1.2.3 is a private address (intranet.test resolves to it)",
    "http://rebind.test/feed.xml": "10.9.9.9 is a private address (rebind.test resolves to it)",
}


def test_the_pull_refuses_internal_addresses_directly_and_at_a_redirect(site, feeds, no_leaving):
    redirects = {feeds.add(f"/r{i}", Response(status=302, headers={"Location": target})): why
                 for i, (target, why) in enumerate(REFUSED.items())}
    site.set_expert("cy", [*REFUSED, *redirects])
    summary = site.pull()
    said = {url: message for _, url, message in summary.problems}
    for url, why in REFUSED.items():
        assert said[url].startswith("refused: ") and why in said[url], (url, said[url])
    for (url, why), target in zip(redirects.items(), REFUSED, strict=True):
        assert why in said[url] and said[url].endswith(f"(a redirect to {target})"), said[url]
    assert summary.failed == 2 * len(REFUSED) and summary.new == 0
    assert {a[0] for a in no_leaving} == {"127.0.0.1"}  # only the redirecting server was reached
    assert site.health()["http://10.0.0.5/feed.xml"]["error"] == "refused: 10.0.0.5 is a private address"


def test_a_feed_probe_refuses_internal_addresses(site, feeds, no_leaving):
    from eminence_desk.scaffold import check_feed

    settings = site.settings()
    for i, (target, why) in enumerate(REFUSED.items()):
        hop = feeds.add(f"/r{i}", Response(status=301, headers={"Location": target}))
        for url in (target, hop):
            result = check_feed(url, {}, settings)
            assert not result.ok and result.message.startswith(f"{url}: refused: "), (url, result.message)
            assert why in result.message and "EMINENCE_PULL_ALLOW_ADDRESSES" in result.message
    assert {a[0] for a in no_leaving} == {"127.0.0.1"}


def test_verify_endorsements_refuses_internal_sources(site, feeds, no_leaving):
    from eminence_publish.verify import verify
    from helpers import runner, write

    expected = {}
    for i, (target, why) in enumerate(REFUSED.items()):
        hop = feeds.add(f"/r{i}", Response(status=302, headers={"Location": target}))
        for name, source in ((f"direct-{i}", target), (f"hop-{i}", hop)):
            expected[f"{name}.md"] = why
            write(site.content, f"endorsements/{name}.md",
                  f"Title: {name}\nEndorser: Someone Outside\nSource: {source}\nDate: 2026-03-01\n"
                  "Topics: ai\nConsent: public\nStatus: published\n\nThey were great.\n")
    settings = site.settings()
    shown = [e for e in runner.check(settings).endorsements
             if e.path.rsplit("/", 1)[1] in expected]
    verdicts = {v.path.rsplit("/", 1)[1]: v for v in verify(shown, settings)}
    assert set(verdicts) == set(expected)
    for name, why in expected.items():
        v = verdicts[name]
        assert v.state == "unreachable" and v.detail.startswith("refused: ") and why in v.detail, (name, v)
    assert {a[0] for a in no_leaving} == {"127.0.0.1"}


def test_the_guard_connects_to_the_address_it_checked_with_one_lookup(feeds, monkeypatch):
    from eminence_pull.fetch import Fetcher
    from eminence_pull.netguard import AddressGuard, parse_networks

    lookups = []

    def resolve(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    url = feeds.add("/cy.xml", Response(atom([one_entry(1)]))).replace("127.0.0.1", "feeds.test")
    guard = AddressGuard(parse_networks(["127.0.0.1"]))
    guard.resolve = resolve
    with Fetcher("test", timeout=5, guard=guard) as fetcher:
        result = fetcher.submit(url).result()
    assert result.status == 200 and lookups == ["feeds.test"]
    assert feeds.requests[-1][1]["Host"].startswith("feeds.test:")  # the name, to the checked address


def test_the_allow_setting_opens_exactly_its_ranges(monkeypatch):
    import ipaddress

    from eminence_pull.netguard import AddressGuard, parse_networks

    guard = AddressGuard(parse_networks(["10.20.0.0/16", "fd12::/16", " "]))
    opened = ["10.20.0.1", "10.20.255.254", "fd12::1", "::ffff:10.20.3.4"]
    closed = ["10.21.0.1", "10.19.255.255", "192.168.0.1", "127.0.0.1", "fd13::1", "169.254.169.254"]
    assert [guard.refusal(ipaddress.ip_address(a)) for a in opened] == [None] * len(opened)
    assert all(guard.refusal(ipaddress.ip_address(a)) for a in closed)
    assert AddressGuard().refusal(ipaddress.ip_address("93.184.216.34")) is None  # public: always
    with pytest.raises(ValueError, match=r"EMINENCE_PULL_ALLOW_ADDRESSES: 'intranet' is not an address"):
        parse_networks(["intranet"])


def test_a_bad_allow_setting_stops_the_pull_with_its_name(site):
    with pytest.raises(ValueError, match="EMINENCE_PULL_ALLOW_ADDRESSES: '10.0.0.0/33'"):
        site.pull(EMINENCE_PULL_ALLOW_ADDRESSES=["10.0.0.0/33"])


def test_feeds_are_interleaved_by_host_busiest_first_deterministically():
    from eminence_pull.hosts import interleave_by_host

    feeds = ["a/1", "b/1", "a/2", "c/1", "a/3", "b/2", "a/4"]
    order = interleave_by_host(feeds, lambda f: f.split("/")[0])
    # a's 4 feeds at 1/8, 3/8, 5/8, 7/8 of the way; b's 2 at 1/4 and 3/4; c's one halfway.
    assert order == ["a/1", "b/1", "a/2", "c/1", "a/3", "b/2", "a/4"]
    assert interleave_by_host(list(reversed(feeds)), lambda f: f.split("/")[0]) == [
        "a/4", "b/2", "a/3", "c/1", "a/2", "b/1", "a/1"]  # each host's own order kept
    assert interleave_by_host([], str) == []
    spread = interleave_by_host([f"big/{i}" for i in range(400)] + [f"s{i}/0" for i in range(600)],
                                lambda f: f.split("/")[0])
    first_half = spread[:500]
    assert 190 <= sum(f.startswith("big/") for f in first_half) <= 210  # its share, all along

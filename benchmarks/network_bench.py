"""The pull on a realistic network (run on demand: `invoke bench-pull --network`).

2,000 feeds on ~300 hosts (a few platforms carry hundreds of feeds, most hosts one),
each host its own loopback address (127.0.1.x, 127.0.2.x), served by one asyncio
process. Every exchange waits a latency drawn from a long-tailed distribution
(log-normal, median 200 ms, p99 ~3 s); 2% of feeds are black holes (the request is
read, never answered), 1% tricklers (a byte a second, never done), 3% answer 500. Every
host answers 429 with Retry-After when a request arrives while 2 are already in flight:
so a self-inflicted 429 is counted, at the server.

Printed, with the run's settings: the pull's wall time; the schedule bound computed from
the same drawn latencies, the largest of
  - the busiest host's serial time / the per-host limit,
  - the total exchange time / the total concurrency,
  - the longest single exchange the timeouts allow;
the peak exchanges in flight any host saw (at the server), the 429s the pull caused,
feeds deferred, and the pull's peak memory (PSS of its process tree).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import timed  # noqa: E402
from pull_bench import feed_xml, pull_settings  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIAN, P99 = 0.2, 3.0
SIGMA = math.log(P99 / MEDIAN) / 2.326  # the 99th percentile of a normal is 2.326 sigma


def host_sizes(feeds: int, hosts: int) -> list[int]:
    """Four platforms carrying 45% of the feeds (20%, 12.5%, 7.5%, 5%), most hosts with
    one feed (five sixths of them), and the rest of the feeds shared evenly by the others."""
    platforms = [int(feeds * share) for share in (0.2, 0.125, 0.075, 0.05)]
    singles = hosts * 5 // 6
    middle = max(1, hosts - len(platforms) - singles)  # small runs: one middle host at least
    rest = feeds - sum(platforms) - singles
    sizes = platforms + [rest // middle + (i < rest % middle) for i in range(middle)] + [1] * singles
    assert sum(sizes) == feeds and min(sizes) >= 1, "too few feeds for that many hosts"
    return sizes


def plan(feeds: int, hosts: int, seed: int) -> list[dict]:
    """Each feed: its host address, behaviour and latency (drawn once, used by both the
    server and the bound)."""
    rng = random.Random(seed)
    out = []
    for h, size in enumerate(host_sizes(feeds, hosts)):
        address = f"127.0.{1 + h // 250}.{1 + h % 250}"
        for _ in range(size):
            r = rng.random()
            kind = "hole" if r < 0.02 else "trickle" if r < 0.03 else "error" if r < 0.06 else "ok"
            out.append({"id": len(out), "host": address, "kind": kind,
                        "latency": rng.lognormvariate(math.log(MEDIAN), SIGMA)})
    return out


def exchange_cost(feed: dict, timeout: float) -> float:
    """How long the pull's exchange with this feed lasts at best (its timeouts bound it)."""
    if feed["kind"] == "hole":
        return timeout  # the read times out
    if feed["kind"] == "trickle":
        return 3 * timeout  # the exchange's deadline cuts it
    return min(feed["latency"], timeout)


def schedule_bound(feeds: list[dict], per_host: int, workers: int, timeout: float) -> dict:
    serial: dict[str, float] = {}
    for f in feeds:
        serial[f["host"]] = serial.get(f["host"], 0.0) + exchange_cost(f, timeout)
    total = sum(serial.values())
    parts = {"busiest host / per-host limit": max(serial.values()) / per_host,
             "all exchanges / concurrency": total / workers,
             "longest exchange": max(exchange_cost(f, timeout) for f in feeds)}
    return {"bound": max(parts.values()), **parts}


def serve(feeds: list[dict], entries: int, ready, stats_path: str) -> None:
    import asyncio
    import collections

    by_path = {f"/feed/{f['id']}.xml": f for f in feeds}
    bodies = {p: feed_xml(f["id"], entries) for p, f in by_path.items()}
    in_flight, peak, stats = collections.Counter(), collections.Counter(), collections.Counter()

    async def handle(reader, writer):
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                feed = by_path.get(head[0].split(" ")[1])
                stats["requests"] += 1
                if in_flight[host] >= 2:  # more than 2 at once: this host pushes back
                    stats["429"] += 1
                    writer.write(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n"
                                 b"Content-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                in_flight[host] += 1
                peak[host] = max(peak[host], in_flight[host])
                try:
                    # Wait out the latency (or for ever, a black hole), but notice a client
                    # that gave up: its slot is free again, as a real server's would be.
                    wait = None if feed is None or feed["kind"] == "hole" else feed["latency"]
                    try:
                        if not await asyncio.wait_for(reader.read(1), timeout=wait):
                            break  # the client closed the connection
                    except TimeoutError:
                        pass
                    if feed["kind"] == "trickle":
                        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
                                     b"Content-Length: 100000\r\n\r\n")
                        while True:  # a byte a second until the client gives up
                            writer.write(b" ")
                            await writer.drain()
                            try:
                                if not await asyncio.wait_for(reader.read(1), timeout=1):
                                    break
                            except TimeoutError:
                                pass
                        break
                    if feed["kind"] == "error":
                        writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
                    else:
                        body = bodies[f"/feed/{feed['id']}.xml"]
                        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
                                     + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                    await writer.drain()
                finally:
                    in_flight[host] -= 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def report():
        while True:
            await asyncio.sleep(0.5)
            with open(stats_path + ".tmp", "w") as fh:
                json.dump({"peak_per_host": max(peak.values(), default=0), **stats}, fh)
            os.replace(stats_path + ".tmp", stats_path)

    async def main():
        ports = {}
        for address in sorted({f["host"] for f in feeds}):
            server = await asyncio.start_server(handle, address, 0, backlog=256)
            ports[address] = server.sockets[0].getsockname()[1]
        ready.put(ports)
        await report()

    asyncio.run(main())


def make_project(folder: str, feeds: list[dict], ports: dict, settings: dict) -> str:
    content = os.path.join(folder, "content")
    for sub in ("topics", "experts"):
        os.makedirs(os.path.join(content, sub))
    with open(os.path.join(content, "topics", "reliability.md"), "w") as fh:
        fh.write("Title: Reliability\nSummary: Keeping things up.\n\nAbout reliability.\n")
    for e in range(0, len(feeds), 5):
        urls = ", ".join(f"http://{f['host']}:{ports[f['host']]}/feed/{f['id']}.xml" for f in feeds[e:e + 5])
        with open(os.path.join(content, "experts", f"expert-{e:05}.md"), "w") as fh:
            fh.write(f"Title: Expert {e}\nTopics: reliability\nFeeds: {urls}\n\nBio.\n")
    return pull_settings(folder, content, settings)


def main(argv=None) -> None:
    import argparse

    sys.path.insert(0, os.path.join(ROOT, "plugins"))
    from eminence_model.settings import TABLE

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=300)
    ap.add_argument("--entries", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=TABLE["EMINENCE_PULL_WORKERS"].default)
    ap.add_argument("--per-host", type=int, default=TABLE["EMINENCE_PULL_PER_HOST"].default)
    ap.add_argument("--timeout", type=float, default=TABLE["EMINENCE_PULL_TIMEOUT"].default)
    args = ap.parse_args(argv)
    feeds = plan(args.feeds, args.hosts, args.seed)
    work = tempfile.mkdtemp(prefix="eminence-netbench-")
    stats_path = os.path.join(work, "server.json")
    ready = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(feeds, args.entries, ready, stats_path), daemon=True)
    server.start()
    try:
        ports = ready.get(timeout=60)
        settings = {"EMINENCE_PULL_WORKERS": args.workers, "EMINENCE_PULL_PER_HOST": args.per_host,
                    "EMINENCE_PULL_TIMEOUT": args.timeout}
        conf = make_project(os.path.join(work, "site"), feeds, ports, settings)
        seconds, peak_mib, out = timed([sys.executable, "-m", "invoke", "pull", "--settings", conf], ROOT,
                                       "pull", memory="pss")
        import time

        time.sleep(1)  # the server's last stats
        with open(stats_path) as fh:
            served = json.load(fh)
        bound = schedule_bound(feeds, args.per_host, args.workers, args.timeout)
        sizes = sorted((sum(f["host"] == h for f in feeds) for h in {f["host"] for f in feeds}), reverse=True)
        kinds = {k: sum(f["kind"] == k for f in feeds) for k in ("ok", "error", "hole", "trickle")}
        print(f"{len(feeds)} feeds on {len(sizes)} hosts (largest: {sizes[:5]}; {sizes.count(1)} with one); "
              f"{kinds}")
        print(f"settings: workers {args.workers}, per host {args.per_host}, timeout {args.timeout:g} s")
        print(f"pull wall time:  {seconds:7.1f} s   ({seconds / bound['bound']:.2f}x the schedule bound)")
        print(f"schedule bound:  {bound['bound']:7.1f} s   = max(" + ", ".join(
            f"{k} {v:.1f} s" for k, v in bound.items() if k != "bound") + ")")
        print(f"peak in flight at one host (server): {served['peak_per_host']}; 429s the pull caused: "
              f"{served.get('429', 0)}; requests: {served.get('requests', 0)}")
        print(f"peak memory (PSS of the pull's tree): {peak_mib:.0f} MiB")
        said = ("Feeds:", "Posts:", "Deferred")
        print("\n".join(line for line in out.splitlines() if line.startswith(said)))
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

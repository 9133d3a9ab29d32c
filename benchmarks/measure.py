"""Wall time and peak memory of a command's whole process tree (shared by the benchmarks).

Two ways to sample memory, because the accurate one disturbs what it measures:

- "rss" (the default for timed runs): the sum of each process's VmRSS, from
  /proc/PID/status, a few microseconds a sample. Pages a forked worker shares with
  its parent count in each, so for a forking build it is an upper bound.
- "pss": the proportional set size from /proc/PID/smaps_rollup, which splits a shared
  page between the processes sharing it. The kernel walks every mapping to produce it
  (16 ms for a 600 MB process on the team's VM) while holding the process's memory
  map lock: sampled every 20 ms it took most of a core from a 2-core machine and
  slowed the build it sampled by a third. Use it only for runs that are not timed.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time


def _memory_kb(pid: int, kind: str) -> int:
    """PSS or RSS of one process (VmRSS where smaps_rollup is missing)."""
    sources = [(f"/proc/{pid}/status", "VmRSS:")]
    if kind == "pss":
        sources.insert(0, (f"/proc/{pid}/smaps_rollup", "Pss:"))
    for path, key in sources:
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (FileNotFoundError, PermissionError):
            continue
    return 0


def tree_memory_kb(pid: int, kind: str = "rss") -> int:
    """Total memory ("rss" or "pss") of pid and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += _memory_kb(p, kind)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def timed(cmd: list[str], cwd: str, what: str, memory: str = "rss") -> tuple[float, float, str]:
    """Run cmd; return (seconds, peak process-tree memory in MiB, `memory` being "rss" or
    "pss", see above; output). Sampled every 20 ms, so a peak shorter than that can be
    missed. Exits if the command fails."""
    # As a default Python runs it: bytecode is cached. A machine-wide
    # PYTHONDONTWRITEBYTECODE (as on the team's VM) would recompile the plugins in
    # every measured run, a cost no user with a default Python pays.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak = 0
    result = {}

    def drain():
        result["out"] = proc.stdout.read()

    reader = threading.Thread(target=drain)
    reader.start()
    while proc.poll() is None:
        peak = max(peak, tree_memory_kb(proc.pid, memory))
        time.sleep(0.02)
    reader.join()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result['out']}")
    return elapsed, peak / 1024, result["out"]

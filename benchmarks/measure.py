"""Wall time and peak memory of a command's whole process tree (shared by the benchmarks)."""

from __future__ import annotations

import os
import subprocess
import threading
import time


def _memory_kb(pid: int) -> int:
    """PSS (proportional set size): a page shared by forked processes is split between
    them instead of counted in each, as RSS would. VmRSS where smaps_rollup is missing."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (FileNotFoundError, PermissionError):
            continue
    return 0


def tree_memory_kb(pid: int) -> int:
    """Total memory (PSS) of pid and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            total += _memory_kb(p)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def timed(cmd: list[str], cwd: str, what: str) -> tuple[float, float, str]:
    """Run cmd; return (seconds, peak process-tree PSS in MiB, output). Sampled every
    20 ms, so a peak shorter than that can be missed. Exits if the command fails."""
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
        peak = max(peak, tree_memory_kb(proc.pid))
        time.sleep(0.02)
    reader.join()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result['out']}")
    return elapsed, peak / 1024, result["out"]

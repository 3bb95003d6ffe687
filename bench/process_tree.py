"""The process tree of a running command, sampled from /proc: for the benchmarks
(bench/throughput.py, bench/throughput_breakdown.py, bench/hostile_memory.py).

Every `interval` seconds a thread of its own walks `root` and its descendants
(parents from /proc/*/stat) and reads each process's CPU seconds and RSS
(/proc/PID/stat) and, if asked, its PSS (/proc/PID/smaps_rollup). What a
process is (its role) each script decides from its command line
(`role_by_rules`), so each keeps its own names.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


class Sample(NamedTuple):
    when: float  # time.time()
    cpu_s: float  # CPU seconds of the tree so far (a process that exited keeps its last)
    rss: int  # bytes, summed over the live processes
    pss: int  # bytes, summed (0 unless the tree reads PSS)
    rss_by_role: dict[str, int]  # bytes, summed per role


def parents() -> dict[int, int]:
    """pid -> parent pid of every live process."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    out[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return out


class Stat(NamedTuple):
    cpu_s: float
    rss: int  # bytes
    exited: bool  # a zombie, not yet waited for: its command line reads empty


def read_stat(pid: int) -> Stat | None:
    """CPU seconds used and resident bytes of `pid`, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return Stat((int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE, fields[0] in "ZX")
    except (OSError, IndexError, ValueError):
        return None


def pss_bytes(pid: int) -> int:
    """Proportional set size: the process's pages, a page shared by n processes
    counted 1/n (a forked worker shares its parent's modules)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next((int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def command_line(pid: int) -> bytes | None:
    """The process's command line (arguments NUL-separated), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return None


def role_by_rules(rules: Iterable[tuple[bytes, str]], otherwise: str, gone: str) -> Callable[[int], str]:
    """A role function: the role of the first (needle, role) rule whose needle is
    in the process's command line; `otherwise` if none is, `gone` if it exited."""
    rules = tuple(rules)

    def role(pid: int) -> str:
        cmdline = command_line(pid)
        if cmdline is None:
            return gone
        return next((name for needle, name in rules if needle in cmdline), otherwise)

    return role


class ProcessTree:
    """Samples `root` and its descendants every `interval` s, from `with` until
    its end (and once more then). Per pid: CPU seconds (the most seen: a process
    that exits keeps it), peak RSS, role (`root_role` for the root; roles in
    `recheck` are asked again at every sample until the process exits, as a
    forked child shows its parent's command line until it execs). In all: `samples`, `first_seen` (when
    each role was first seen) and `at_peak` (each process's RSS at the sample
    whose sum was the largest)."""

    def __init__(self, root: int, role: Callable[[int], str], root_role: str | None = None,
                 recheck: Iterable[str] = (), pss: bool = False, interval: float = 0.1):
        self.root, self.interval = root, interval
        self._role, self._root_role, self._recheck, self._pss = role, root_role, set(recheck), pss
        self.cpu: dict[int, float] = {}
        self.peak_rss: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self.first_seen: dict[str, float] = {}
        self.samples: list[Sample] = []
        self.at_peak: dict[int, int] = {}
        self._largest = 0  # the largest summed RSS so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _members(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for pid, ppid in parents().items():
            children.setdefault(ppid, []).append(pid)
        out, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def _classify(self, pid: int, now: float, exited: bool) -> str:
        if pid not in self.roles or (self.roles[pid] in self._recheck and not exited):
            self.roles[pid] = self._root_role if pid == self.root and self._root_role else self._role(pid)
            self.first_seen.setdefault(self.roles[pid], now)
        return self.roles[pid]

    def _sample(self) -> None:
        now, rss_of, pss, by_role = time.time(), {}, 0, {}
        for pid in self._members():
            seen = read_stat(pid)
            if seen is None:
                continue
            role = self._classify(pid, now, seen.exited)
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), seen.cpu_s)
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), seen.rss)
            rss_of[pid] = seen.rss
            by_role[role] = by_role.get(role, 0) + seen.rss
            pss += pss_bytes(pid) if self._pss else 0
        total = sum(rss_of.values())
        if total > self._largest:
            self._largest, self.at_peak = total, rss_of
        self.samples.append(Sample(now, sum(self.cpu.values()), total, pss, by_role))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> ProcessTree:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def peak(self, field: str = "rss") -> int:
        """The largest summed `rss` or `pss` of any sample (bytes)."""
        return max((getattr(s, field) for s in self.samples), default=0)

    def cpu_at(self, when: float) -> float:
        """The tree's CPU seconds at time `when`, interpolated between samples."""
        before = [s for s in self.samples if s.when <= when] or self.samples[:1]
        after = [s for s in self.samples if s.when >= when] or self.samples[-1:]
        (t0, c0, *_), (t1, c1, *_) = before[-1], after[0]
        return c0 if t1 == t0 else c0 + (c1 - c0) * (when - t0) / (t1 - t0)

    def by_role(self, values: dict[int, float], combine) -> dict[str, float]:
        """Per-pid `values` combined (sum, max) per role, rounded to 0.1."""
        out: dict[str, list[float]] = {}
        for pid, value in values.items():
            out.setdefault(self.roles.get(pid, "other"), []).append(value)
        return {role: round(combine(v), 1) for role, v in sorted(out.items())}

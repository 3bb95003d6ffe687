"""Workers never outlive the run: a reaper process for the batch stage (issue 13).

When the flow's process dies, however it dies (`kill -9` included), the
worker processes it started, and multiprocessing's resource tracker, must go
too. They cannot be told: a process killed with SIGKILL runs no code, and a
worker is still importing Prefect for seconds after it starts, before any
code of ours runs in it. So the flow's process marks them (an environment
variable with a token, which every process it starts inherits) and starts
a tiny reaper beside them, which gets SIGTERM from the kernel when the flow's
process dies (PR_SET_PDEATHSIG, Linux) and also checks for its parent twice a
second. Then it kills every process carrying the token. When the batch stage
ends normally, the workers have already stopped and the reaper is killed
without doing anything.

On systems without /proc nothing is reaped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flows.prefect_api import die_with_parent

MARK = "SPEECH_ETL_WORKER_OF"

_REAPER = r"""
import os, signal, sys, time
needle = ("%s=" + sys.argv[1]).encode()
parent = os.getppid()

def reap(*_):
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/environ", "rb") as fh:
                    if needle in fh.read().split(b"\0"):
                        os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    os._exit(0)

signal.signal(signal.SIGTERM, reap)
while os.getppid() == parent:
    time.sleep(0.5)
reap()
""" % MARK


@contextmanager
def reaped_workers() -> Iterator[None]:
    """Processes started inside the block die with this process."""
    if not os.path.isdir("/proc") or os.environ.get(MARK):
        yield
        return
    token = uuid.uuid4().hex
    reaper = subprocess.Popen([sys.executable, "-S", "-c", _REAPER, token], stdin=subprocess.DEVNULL,
                              env={k: v for k, v in os.environ.items() if k != MARK},
                              preexec_fn=die_with_parent if sys.platform.startswith("linux") else None)
    os.environ[MARK] = token
    try:
        yield
    finally:
        os.environ.pop(MARK, None)
        reaper.kill()  # SIGKILL: it reaps nothing (the workers have stopped; the resource tracker stays)
        reaper.wait()

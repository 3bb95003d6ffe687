"""Helpers for tests that need a real Prefect server and `speech-etl` subprocesses.

Every process is started in its own process group (session) so a test can end
it and everything it spawned, and every environment carries a marker so a test
can check that nothing it started is still running.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(home: Path, marker: str, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """A clean environment: own PREFECT_HOME, no analytics, and a marker variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "SPEECH_ETL_TEST_MARKER": marker,
        "PYTHONUNBUFFERED": "1",
    })
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    fh = open(log, "wb")
    return subprocess.Popen(args, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=cwd or ROOT,
                            start_new_session=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
    """Signal the process group, wait, then SIGKILL the group if it lingers."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of the group
    except ProcessLookupError:
        pass
    try:
        return proc.wait(10)
    except subprocess.TimeoutExpired:
        return None


def processes_with_marker(marker: str) -> list[int]:
    """Pids of live processes whose environment holds SPEECH_ETL_TEST_MARKER=marker."""
    needle = f"SPEECH_ETL_TEST_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def kill_marked(marker: str) -> None:
    for pid in processes_with_marker(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class PrefectServer:
    """`prefect server start` on a free loopback port with its own PREFECT_HOME."""

    def __init__(self, home: Path, marker: str):
        self.home = home
        self.marker = marker
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log = home / "server.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "PrefectServer":
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        """Start the server process (it answers some seconds later: `wait_ready`)."""
        self.home.mkdir(parents=True, exist_ok=True)
        prefect = shutil.which("prefect", path=str(BIN)) or str(BIN / "prefect")
        self.proc = start([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                          base_env(self.home, self.marker), self.log)

    def wait_ready(self) -> "PrefectServer":
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"prefect server did not answer within 120 s: {self.log.read_text(errors='replace')[-2000:]}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGTERM)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a client process of this server."""
        return base_env(self.home, self.marker, self.api_url, **extra)

    def get(self, path: str, **params) -> dict | list:
        return httpx.get(f"{self.api_url}{path}", params=params, timeout=10).json()

    def post(self, path: str, body: dict) -> dict | list:
        response = httpx.post(f"{self.api_url}{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()


def speech_etl_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "speech_etl", *args]


def write_speech_variants(folder: Path, count: int, source: Path) -> list[Path]:
    """`count` small speech files made from `source`: each a different title and
    a different run of its paragraphs, so every file is a distinct document."""
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = lines[len(lines) // 4:]  # past the site chrome at the top
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        start = i % max(1, len(body) - 6)
        chunk = body[start:start + 6]
        text = "\n".join([f"在全市城市管理工作第{i + 1}次推进会上的讲话", *chunk, f"(第{i + 1}号)"])
        path = folder / f"speech_{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""A real S3-compatible server on loopback for the remote-lake tests: moto's
server (`python -m moto.server`), run as a separate process and spoken to
over HTTP by s3fs, exactly as a deployed lake on S3 would be."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3Server:
    def __init__(self, log: Path):
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.endpoint, timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the S3 test server did not start (see {log})") from None
                time.sleep(0.1)

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to reach the server (the standard AWS variables s3fs reads)."""
        return {"AWS_ACCESS_KEY_ID": "speech-etl-test", "AWS_SECRET_ACCESS_KEY": "speech-etl-test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.endpoint}

    def apply(self) -> None:
        """Point this process's S3 clients at the server."""
        os.environ.update(self.env)

    def make_bucket(self, name: str) -> None:
        import s3fs

        fs = s3fs.S3FileSystem(key="speech-etl-test", secret="speech-etl-test",
                               client_kwargs={"endpoint_url": self.endpoint})
        fs.mkdir(name)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

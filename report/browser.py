"""Open a report in headless Chromium and tell what it did: console errors,
uncaught exceptions, the DOM after the scripts ran, and a screenshot.

A tiny DevTools-protocol client over a websocket (the `websockets` package),
for the tests and for the screenshot in the docs. No network: the page is a
local file and Chromium starts with every background fetch turned off.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageRun:
    console_errors: list[str] = field(default_factory=list)
    dom: str = ""
    charts: list[dict] = field(default_factory=list)  # per chart container: id, rendered, svg marks
    fetched: list[str] = field(default_factory=list)  # URLs requested other than the page itself and data:
    screenshot: Path | None = None


class _Session:
    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        msg_id = next(self.ids)
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=max(0.05, deadline - time.monotonic()))))
            except TimeoutError:
                return


_CHARTS_JS = """JSON.stringify(Array.from(document.querySelectorAll('.chart[data-spec]')).map(function (el) {
  var svg = el.querySelector('svg');
  return {id: el.id, rendered: el.getAttribute('data-rendered'),
          marks: svg ? svg.querySelectorAll('path, circle, rect, line, text').length : 0,
          symbols: svg ? svg.querySelectorAll('g.mark-symbol path').length : 0,
          lines: svg ? svg.querySelectorAll('g.mark-line path').length : 0};
}))"""


def open_report(html: Path, screenshot: Path | None = None, width: int = 1200, timeout: float = 60,
                max_height: int = 16000) -> PageRun:
    """Load `html` in headless Chromium, wait for the charts, collect errors."""
    from websockets.sync.client import connect

    binary = chromium_binary()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="speech-etl-chromium-")
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                             "--remote-allow-origins=*", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    run = PageRun()
    try:
        url = None
        deadline = time.monotonic() + timeout
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {proc.returncode} before DevTools started")
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
        if url is None:
            raise TimeoutError("chromium did not start DevTools in time")
        with connect(url, max_size=256 * 1024 * 1024, open_timeout=timeout) as ws:
            cdp = _Session(ws)
            target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                cdp.send(f"{domain}.enable", session=session)
            cdp.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
            cdp.send("Page.navigate", {"url": Path(html).resolve().as_uri()}, session=session)
            while time.monotonic() < deadline:
                done = cdp.send("Runtime.evaluate", {"expression": "document.readyState === 'complete' && "
                                                     "(document.body.getAttribute('data-charts-done') !== null || "
                                                     "document.querySelectorAll('.chart[data-spec]').length === 0)",
                                                     "returnByValue": True}, session=session)
                if done.get("result", {}).get("value"):
                    break
                cdp.pump(0.2)
            cdp.pump(0.5)  # late console messages
            charts = cdp.send("Runtime.evaluate", {"expression": _CHARTS_JS, "returnByValue": True}, session=session)
            run.charts = json.loads(charts["result"]["value"])
            dom = cdp.send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                                "returnByValue": True}, session=session)
            run.dom = dom["result"]["value"]
            if screenshot is not None:
                height = cdp.send("Runtime.evaluate", {"expression": "document.documentElement.scrollHeight",
                                                       "returnByValue": True}, session=session)["result"]["value"]
                shot = cdp.send("Page.captureScreenshot", {
                    "format": "png", "captureBeyondViewport": True,
                    "clip": {"x": 0, "y": 0, "width": width, "height": min(int(height), max_height), "scale": 1}},
                    session=session, timeout=timeout)
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                run.screenshot = screenshot
            page_url = Path(html).resolve().as_uri()
            for event in cdp.events:
                method, params = event.get("method"), event.get("params", {})
                if method == "Network.requestWillBeSent":
                    requested = params.get("request", {}).get("url", "")
                    if requested != page_url and not requested.startswith(("data:", "about:", "blob:")):
                        run.fetched.append(requested)
                if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                    run.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                       for a in params.get("args", [])))
                elif method == "Runtime.exceptionThrown":
                    details = params.get("exceptionDetails", {})
                    run.console_errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
                elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                    run.console_errors.append(params["entry"].get("text", ""))
            try:
                cdp.send("Browser.close", timeout=5)
            except Exception:  # the browser may close the socket first
                pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return run


if __name__ == "__main__":  # python -m report.browser REPORT.html [SHOT.png [MAX_HEIGHT]]
    import sys

    result = open_report(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None,
                         max_height=int(sys.argv[3]) if len(sys.argv) > 3 else 16000)
    print(json.dumps({"console_errors": result.console_errors, "fetched": result.fetched, "charts": result.charts}, ensure_ascii=False, indent=1))
    os._exit(0 if not result.console_errors else 1)

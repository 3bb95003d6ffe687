"""Open a report in headless Chromium and tell what it did: console errors,
uncaught exceptions, the DOM after the scripts ran, and a screenshot.

A tiny DevTools-protocol client over a websocket (the `websockets` package),
for the tests and for the screenshots in the docs; several pages open in one
launch, one tab after the other. No network: the page is a
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
from xml.sax.saxutils import escape

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
    fonts: list[tuple[str, str]] = field(default_factory=list)  # document.fonts: (family, status)


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


_FONTS_JS = "JSON.stringify(Array.from(document.fonts || []).map(function (f) { return [f.family, f.status]; }))"


def _evaluate(cdp: _Session, session: str, expression: str, timeout: float = 30):
    return cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                    session=session, timeout=timeout).get("result", {}).get("value")


def _start(binary: str, profile: str, env: dict | None, timeout: float) -> tuple[subprocess.Popen, str]:
    """Chromium with DevTools on a free port: the process and its websocket URL."""
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                             "--remote-allow-origins=*", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env} if env else None)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before DevTools started")
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise TimeoutError("chromium did not start DevTools in time")


def _problems(events: list[dict], session: str, page_url: str, run: PageRun) -> None:
    """Requests other than the page, console errors and exceptions of one page's session."""
    for event in events:
        if event.get("sessionId") not in (None, session):
            continue
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


def _screenshot(cdp: _Session, session: str, path: Path, width: int, max_height: int, timeout: float) -> Path:
    height = _evaluate(cdp, session, "document.documentElement.scrollHeight")
    shot = cdp.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(int(height), max_height), "scale": 1}},
        session=session, timeout=timeout)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _visit(cdp: _Session, html: Path, screenshot: Path | None, width: int, timeout: float,
           max_height: int) -> PageRun:
    """One page in a new tab: wait for its charts, then read what it did."""
    run = PageRun()
    cdp.events.clear()
    target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Page", "Network"):
        cdp.send(f"{domain}.enable", session=session)
    cdp.send("Emulation.setDeviceMetricsOverride",
             {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
    page_url = Path(html).resolve().as_uri()
    cdp.send("Page.navigate", {"url": page_url}, session=session)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _evaluate(cdp, session, "document.readyState === 'complete' && "
                                   "(document.body.getAttribute('data-charts-done') !== null || "
                                   "document.querySelectorAll('.chart[data-spec]').length === 0)"):
            break
        cdp.pump(0.2)
    cdp.pump(0.5)  # late console messages
    run.charts = json.loads(_evaluate(cdp, session, _CHARTS_JS))
    run.fonts = [tuple(f) for f in json.loads(_evaluate(cdp, session, _FONTS_JS))]
    run.dom = _evaluate(cdp, session, "document.documentElement.outerHTML")
    if screenshot is not None:
        run.screenshot = _screenshot(cdp, session, screenshot, width, max_height, timeout)
    _problems(cdp.events, session, page_url, run)
    cdp.send("Target.closeTarget", {"targetId": target})
    return run


def open_pages(pages: list[tuple[Path, Path | None]], width: int = 1200, timeout: float = 60,
               max_height: int = 16000, env: dict | None = None) -> list[PageRun]:
    """Load each (page, screenshot or None) in one headless Chromium, one tab
    after the other; `env` adds to Chromium's environment (FONTCONFIG_FILE)."""
    from websockets.sync.client import connect

    binary = chromium_binary()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="speech-etl-chromium-")
    proc = None
    try:
        proc, url = _start(binary, profile, env, timeout)
        with connect(url, max_size=256 * 1024 * 1024, open_timeout=timeout) as ws:
            cdp = _Session(ws)
            runs = [_visit(cdp, html, shot, width, timeout, max_height) for html, shot in pages]
            try:
                cdp.send("Browser.close", timeout=5)
            except Exception:  # the browser may close the socket first
                pass
    finally:
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return runs


def open_report(html: Path, screenshot: Path | None = None, width: int = 1200, timeout: float = 60,
                max_height: int = 16000, env: dict | None = None) -> PageRun:
    """Load `html` in headless Chromium, wait for the charts, collect errors."""
    return open_pages([(html, screenshot)], width, timeout, max_height, env)[0]


def without_cjk_fonts(folder: Path) -> dict:
    """The environment for a Chromium that sees no CJK font: a fontconfig file
    that rejects every font fontconfig says covers Chinese (a reader's machine
    without fonts-noto-cjk), for the embedded font to be the only one."""
    listed = subprocess.run(["fc-list", "-f", "%{file}\\n", ":lang=zh-cn"], capture_output=True, text=True,
                            timeout=30).stdout if shutil.which("fc-list") else ""
    globs = "".join(f"<glob>{escape(path)}</glob>" for path in sorted(set(listed.splitlines())))
    conf = Path(folder) / "fonts-without-cjk.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                    f"<selectfont><rejectfont>{globs}</rejectfont></selectfont></fontconfig>", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


if __name__ == "__main__":  # python -m report.browser REPORT.html [SHOT.png [MAX_HEIGHT]] [--without-cjk]
    import sys

    args = [a for a in sys.argv[1:] if a != "--without-cjk"]
    scratch = tempfile.mkdtemp(prefix="speech-etl-fonts-")
    result = open_report(Path(args[0]), Path(args[1]) if len(args) > 1 else None,
                         max_height=int(args[2]) if len(args) > 2 else 16000,
                         env=without_cjk_fonts(Path(scratch)) if "--without-cjk" in sys.argv else None)
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps({"console_errors": result.console_errors, "fetched": result.fetched, "charts": result.charts,
                      "fonts": result.fonts}, ensure_ascii=False, indent=1))
    os._exit(0 if not result.console_errors else 1)

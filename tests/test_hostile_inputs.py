"""No single input crashes a run, leaks a file or exhausts memory (issue 13).

One run ingests every hostile case of tests/hostile_corpus.py beside good
files, with small limits (so small files exercise every bound; the big cases
and the memory ceiling are bench/hostile_memory.py's); a second run after a
good file is overwritten with garbage checks that its last good version stays.
The SIGKILL test kills a run while its workers are busy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE_SPEECH, SESSION_SERVER
from hostile_corpus import SMALL_LIMITS, build
from prefect_server import (PrefectServer, base_env, kill_marked, processes_with_marker, speech_etl_command, start,
                            stop, write_speech_variants)


def _ingest(inbox: Path, warehouse: Path, *options: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPEECH_ETL_")}
    env.update(SMALL_LIMITS, PREFECT_API_URL=SESSION_SERVER.api_url())  # no temporary server of its own to start
    return subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(inbox), "--warehouse", str(warehouse),
                           *options], capture_output=True, text=True, timeout=300, env=env)


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(corpus folder, expected cases, warehouse, first run, second run, documents after the first run)."""
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "in"
    cases = build(inbox)
    warehouse = root / "w"
    first = _ingest(inbox, warehouse)
    assert first.returncode == 0, first.stderr[-3000:]
    documents_before = _rows(warehouse, "SELECT doc_id, source_path FROM documents ORDER BY 1")
    (inbox / "good.docx").write_bytes(b"\x00garbage\x00" * 100)  # a good file overwritten with garbage
    second = _ingest(inbox, warehouse)
    assert second.returncode == 0, second.stderr[-3000:]
    return inbox, cases, warehouse, first, second, documents_before


def _stored(inbox: Path, name: bytes) -> str:
    return os.fsencode(inbox.resolve()).decode() + "/" + name.decode("utf-8", "backslashreplace")


def test_every_bad_input_is_one_reject_and_every_good_file_loads(hostile):
    inbox, cases, warehouse, first, _, _ = hostile
    assert "Traceback" not in first.stderr + first.stdout
    run_id = _rows(warehouse, "SELECT min(run_id) FROM runs")[0][0]
    rejects = _rows(warehouse, f"SELECT source_path, source_record, reason FROM rejects WHERE run_id = '{run_id}'")
    expected = sorted((_stored(inbox, c.name), c.line, c.reason) for c in cases if c.reason)
    assert sorted(rejects) == expected
    loaded = {p for (p,) in _rows(warehouse, "SELECT DISTINCT source_path FROM sources WHERE status = 'loaded'")}
    assert {_stored(inbox, c.name) for c in cases if not c.reason} <= loaded


def test_jsonl_good_lines_load_beside_bad_ones(hostile):
    inbox, _, warehouse, _, _, _ = hostile
    counts = dict(_rows(warehouse, "SELECT regexp_extract(source_path, '[^/]+$'), count(*) FROM documents "
                                   "WHERE source_format = 'jsonl' GROUP BY 1"))
    assert counts["field_types.jsonl"] == 1 and counts["surrogate.jsonl"] == 1 and counts["nul_line.jsonl"] == 2


def test_wide_unicode_without_a_byte_order_mark_is_read(hostile):
    _, _, warehouse, _, _, _ = hostile
    encodings = dict(_rows(warehouse, "SELECT regexp_extract(source_path, '[^/]+$'), encoding FROM documents "
                                      "WHERE source_path LIKE '%utf%'"))
    assert encodings == {"utf16le_nobom.txt": "utf-16-le", "utf16be_nobom.txt": "utf-16-be",
                         "utf32le_nobom.txt": "utf-32-le", "utf32_bom.txt": "utf-32"}


def test_nothing_outside_the_inputs_is_read(hostile):
    _, _, warehouse, _, _, _ = hostile
    assert _rows(warehouse, "SELECT count(*) FROM documents WHERE text LIKE '%root:x:0:0%'") == [(0,)]
    # a link to a file inside the inputs is followed (its text is the speech's: one document, two sources)
    assert _rows(warehouse, "SELECT status FROM sources WHERE source_path LIKE '%link_to_speech.txt'") == [("loaded",)]


def test_a_file_of_several_reports_is_loaded_whole_with_a_warning(hostile):
    _, _, warehouse, first, _, _ = hostile
    [(chars, kept, removed)] = _rows(warehouse, "SELECT char_count, chrome_kept_chars, chrome_removed_chars "
                                                "FROM documents WHERE source_path LIKE '%many_reports.txt'")
    assert chars > 10_000 and kept > 10_000 and removed > 0
    assert any("many_reports.txt: kept" in line and "after a site footer" in line
               for line in first.stderr.splitlines())


def test_console_lines_escape_control_characters(hostile):
    _, _, _, first, _, _ = hostile
    lines = (first.stdout + first.stderr).splitlines()
    assert not [line for line in lines if line.startswith(("rejected important.docx", "[31m"))]
    assert any("evil\\nrejected important.docx: corrupt.txt: binary" in line for line in lines)
    assert any("\\x1b[31mred.txt" in line for line in lines)
    assert any("gbk_\\xd6\\xd0.txt: undecodable_name" in line and "gbk_中.txt" in line for line in lines)
    assert "\x1b[31m" not in first.stdout


def test_a_file_overwritten_with_garbage_keeps_its_last_good_version(hostile):
    inbox, _, warehouse, _, second, documents_before = hostile
    assert "Traceback" not in second.stderr
    assert _rows(warehouse, "SELECT doc_id, source_path FROM documents ORDER BY 1") == documents_before
    run_id = _rows(warehouse, "SELECT max(run_id) FROM runs")[0][0]
    assert _rows(warehouse, f"SELECT regexp_extract(source_path, '[^/]+$'), reason FROM rejects "
                            f"WHERE run_id = '{run_id}'") == [("good.docx", "corrupt")]
    # nothing else was read again: the bad inputs were recorded, not rejected twice
    assert "1 to read" in second.stderr


@pytest.mark.slow
def test_workers_end_within_5_s_of_a_kill_9_of_the_run(tmp_path):
    """Acceptance 2: no process of the run is alive 5 s after `kill -9` of `speech-etl ingest`."""
    write_speech_variants(tmp_path / "in", 40, SAMPLE_SPEECH)
    marker = f"kill-{uuid.uuid4().hex}"
    env = base_env(SESSION_SERVER.prefect_home(tmp_path / "home"), marker, SPEECH_ETL_BATCH_FILES="1",
                   SPEECH_ETL_WORKERS="2")
    run = start(speech_etl_command("ingest", str(tmp_path / "in"), "--warehouse", str(tmp_path / "w")),
                env, tmp_path / "log")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_workers(marker)) < 2:
            time.sleep(0.2)
        assert len(_workers(marker)) >= 2, (tmp_path / "log").read_text(errors="replace")[-2000:]
        os.kill(run.pid, signal.SIGKILL)
        five_s_after = time.monotonic() + 5
        run.wait(10)
        while processes_with_marker(marker) and time.monotonic() < five_s_after:
            time.sleep(0.1)  # none comes back once all are gone: no marked process is left to start one
        left = processes_with_marker(marker)
    finally:
        kill_marked(marker)
    assert left == [], f"still alive 5 s after the kill: {left}"


def _workers(marker: str) -> list[int]:
    """The run's process-pool workers: started by multiprocessing's spawn_main,
    or forked from its forkserver (flows/runners.py), which they share a command line with."""
    found = []
    for pid in processes_with_marker(marker):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
            if b"spawn_main" in cmdline or b"forkserver" in Path(f"/proc/{parent}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


@pytest.mark.slow
def test_serve_rejects_bad_inputs_and_stops_within_5_s_of_sigterm_with_its_server_gone(tmp_path):
    """Acceptance 3, and bad inputs under `serve`: a scheduled run rejects them
    and goes on; with the server gone, SIGTERM stops serve in 5 s, one line, exit 0."""
    inbox = tmp_path / "in"
    cases = [c for c in build(tmp_path / "corpus") if c.name in (b"field_types.jsonl", b"gbk_\xd6\xd0.txt")]
    inbox.mkdir()
    for name in {case.name for case in cases}:
        os.rename(os.path.join(os.fsencode(tmp_path / "corpus"), name), os.path.join(os.fsencode(inbox), name))
    warehouse, log = tmp_path / "w", tmp_path / "serve.log"
    marker = f"serve-gone-{uuid.uuid4().hex}"
    serve = None
    try:
        with PrefectServer(SESSION_SERVER.prefect_home(tmp_path / "home"), marker) as server:
            serve = start(speech_etl_command("serve", str(inbox), "--interval", "3600", "--warehouse", str(warehouse)),
                          server.env(PREFECT_RUNNER_POLL_FREQUENCY="1"), log)  # picks the run up within 1 s, not 10
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and not server.get("/deployments/name/speech-etl-ingest/scheduled-ingest").get("id"):
                time.sleep(0.5)
            deployment = server.get("/deployments/name/speech-etl-ingest/scheduled-ingest")["id"]
            run = _retry(lambda: server.post(f"/deployments/{deployment}/create_flow_run", {}))  # one run, now
            while time.monotonic() < deadline and not _finished(server, run["id"]):
                time.sleep(0.5)
            assert _has_rejects(warehouse, len(cases)), log.read_text(errors="replace")[-3000:]
            assert _rows(warehouse, "SELECT count(*) FROM documents") == [(1,)]
            settle = time.monotonic() + 15  # the flow run's process exits after its final state
            while time.monotonic() < settle and _flow_run_processes(serve.pid):
                time.sleep(0.2)
        time.sleep(1)  # the server is gone: serve notices
        before = log.read_text(errors="replace")
        stopped = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(30)
        took = time.monotonic() - stopped
        after = log.read_text(errors="replace")[len(before):]
    finally:
        if serve is not None:
            stop(serve)
        kill_marked(marker)
    assert code == 0 and took <= 5, (code, took, after)
    assert [line for line in after.splitlines() if line.strip()] == [after.strip()]
    assert after.startswith("stopped serving") and "did not answer" in after
    assert "Traceback" not in before + after


def _finished(server: PrefectServer, flow_run_id: str) -> bool:
    state = (server.get(f"/flow_runs/{flow_run_id}").get("state") or {}).get("type")
    return state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _has_rejects(warehouse: Path, count: int) -> bool:
    try:
        return _rows(warehouse, "SELECT count(*) FROM rejects")[0][0] >= count
    except (duckdb.Error, OSError):
        return False


def _flow_run_processes(pid: int) -> list[str]:
    """`pid`'s children but multiprocessing's resource tracker (serve's own, for its whole life)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
            except OSError:
                pass  # gone already
    return found


def test_a_full_disk_is_one_line(tmp_path):
    """Prefect's report of the failure (its traceback) is left off; `--verbose` shows it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPEECH_ETL_")}
        env["PREFECT_API_URL"] = SESSION_SERVER.api_url()
        run = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(SAMPLE_SPEECH.parent.parent),
                              "--warehouse", str(disk / "w")], capture_output=True, text=True, timeout=300, env=env)
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "| INFO" not in line and not line.startswith("Prefect:")]
    assert len(errors) == 1 and errors[0].startswith("error: ingest failed") and "No space left" in errors[0]


def test_sql_prints_values_as_they_are(hostile):
    _, _, warehouse, _, _, _ = hostile
    shown = subprocess.run([sys.executable, "-m", "speech_etl", "sql", "SELECT 'root:x:0:0 [bold]b[/bold]' AS v",
                            "--warehouse", str(warehouse)], capture_output=True, text=True, timeout=60)
    assert "root:x:0:0 [bold]b[/bold]" in shown.stdout


def _retry(call, attempts: int = 20):
    """`call()`, again after a second while the server answers 503 (busy, on a loaded machine)."""
    import httpx

    for attempt in range(attempts):
        try:
            return call()
        except httpx.HTTPError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)

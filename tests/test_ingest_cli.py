"""End to end through the `speech-etl` command: real files, real Prefect flow
runs (on the session's Prefect server, or a temporary one where that is the
point: conftest.speech_etl), a real DuckDB file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path


from conftest import SAMPLE_SPEECH, SAMPLES, SHARED_CORPUS, cli_env, query, speech_etl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pdf_maker import encrypted_pdf, scanned_pdf  # noqa: E402

COUNTED_TABLES = ("documents", "sections", "metrics", "terms", "rejects", "sources", "runs")


def counts(warehouse: Path) -> dict[str, int]:
    return {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in COUNTED_TABLES}


def test_samples_build_a_warehouse(tmp_path):
    warehouse = tmp_path / "w"
    # as a user runs it: its own temporary Prefect server, whose output (telemetry, tracebacks) is the run's
    result = speech_etl("ingest", str(SAMPLES), "--warehouse", str(warehouse), temporary_server=True)
    assert "Traceback" not in result.stderr
    assert "Failed to send telemetry" not in result.stderr + result.stdout
    # a short say: no line per task run (--verbose shows them), no link to the temporary server, gone at exit
    printed = (result.stdout + result.stderr).strip().splitlines()
    assert len(printed) <= 15, printed
    assert not [line for line in printed if "Task run" in line or "http" in line], printed
    assert (warehouse / "warehouse.duckdb").exists()
    assert list((warehouse / "lake" / "documents").glob("*.parquet"))
    # the speech in four formats is one document; the jsonl holds 7 reports and resolutions; one PDF
    formats = query(warehouse, "SELECT count(*) FROM sources WHERE source_path LIKE '%chengguan%'")[0][0]
    assert formats == 4
    speech = query(warehouse, "SELECT count(*) FROM documents WHERE doc_type = 'speech'")[0][0]
    assert speech == 1
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 1 + 7 + 1
    assert query(warehouse, "SELECT count(*) FROM rejects")[0][0] == 0
    # the sample PDF (bench/make_sample_pdf.py): three pages, read without its running header and page numbers
    pdf = query(warehouse, """SELECT pages, title, text LIKE '%某某县城市管理局文件%' OR text LIKE '%- 2 -%'
                             FROM documents WHERE source_format = 'pdf'""")
    assert pdf == [(3, "某某县城市管理局2024年工作总结及2025年工作计划", False)]
    # every row once: the four formats of the speech add its sections, terms and figures once
    for table, key in (("sections", "section_id"), ("metrics", "metric_id"), ("terms", "section_id, term")):
        dupes = query(warehouse, f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}")[0][0]
        assert dupes == 0, table
    speech_sections = query(warehouse, """
        SELECT count(*) FROM sections s JOIN documents d USING (doc_id)
        WHERE d.doc_type = 'speech' AND s.marker = '（五）'""")[0][0]
    assert speech_sections == 1


def test_shared_corpus_loads_every_document_and_a_rerun_adds_nothing(dev_warehouse):
    warehouse = dev_warehouse  # built by `speech-etl ingest ../shared/corpus`
    # 53 distinct State Council texts, the sample speech, the 60 local pages; the ten
    # local raw/ .txt files hold the same texts as their pages.jsonl lines: no new document
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 114
    assert query(warehouse, "SELECT count(*) FROM documents WHERE source_format = 'jsonl'")[0][0] == 113
    assert query(warehouse, "SELECT count(*) FROM documents WHERE source_path LIKE '%local%pages.jsonl'")[0][0] == 60
    assert query(warehouse, "SELECT count(*) FROM metrics WHERE period_source IS NOT NULL")[0][0] > 0
    first = counts(warehouse)
    result = speech_etl("ingest", str(SHARED_CORPUS), "--warehouse", str(warehouse))
    assert "Nothing new: no rows added to any table." in result.stdout
    assert counts(warehouse) == first

    # acceptance 3: the sample speech as stored (the local texts hold speeches too)
    row = query(warehouse, """
        SELECT title, published_at, declared_char_count, is_truncated, omitted_chars, masked_count
        FROM documents WHERE doc_type = 'speech' AND source_path LIKE '%chengguan%'""")[0]
    assert row[0] == "在全市城管系统工作推进会上的讲话"
    assert str(row[1]) == "2020-08-15 10:26:13"
    assert row[2:5] == (11664, True, 1230)
    assert row[5] > 0
    chrome = query(warehouse, """
        SELECT count(*) FROM sections s JOIN documents d USING (doc_id)
        WHERE d.source_path LIKE '%chengguan%' AND (s.text LIKE '%文鼎文库%' OR s.text LIKE '%预览结束%' OR s.text LIKE '%此处省略%')""")
    assert chrome[0][0] == 0


def _bad_files(folder: Path) -> dict[str, str]:
    """One file of each bad kind; returns file name -> expected reason."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "undecodable.txt").write_bytes("讲话".encode("utf-8") + b"\x80\xff" * 100)
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with zipfile.ZipFile(folder / "truncated_source.zip", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (folder / "truncated.docx").write_bytes((folder / "truncated_source.zip").read_bytes()[:30])
    (folder / "truncated_source.zip").unlink()
    (folder / "records.jsonl").write_text(
        json.dumps({"title": "好记录", "content": "各位代表:\n今年国内生产总值增长7%左右。"}, ensure_ascii=False) + "\n"
        + "{not json\n", encoding="utf-8")
    # real PDFs (bench/pdf_maker.py): a scan (an image, no text layer) and one that needs a password
    (folder / "scanned.pdf").write_bytes(scanned_pdf())
    (folder / "locked.pdf").write_bytes(encrypted_pdf())
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n")
    return {"empty.txt": "empty", "binary.txt": "binary", "undecodable.txt": "undecodable",
            "corrupt.docx": "corrupt", "truncated.docx": "corrupt", "records.jsonl": "malformed_record",
            "scanned.pdf": "no_text_layer", "locked.pdf": "encrypted", "damaged.pdf": "corrupt"}


def test_bad_files_are_rejects_and_good_files_load(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE_SPEECH, folder / "speech.txt")
    expected = _bad_files(folder)
    warehouse = tmp_path / "w"
    result = speech_etl("ingest", str(folder), "--warehouse", str(warehouse), check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    rejects = {Path(p).name: reason for p, reason in query(warehouse, "SELECT source_path, reason FROM rejects")}
    assert rejects == expected
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 2  # the speech and the good jsonl line
    # each rejection is one line in the output
    for name in expected:
        lines = [line for line in result.stdout.splitlines() if name in line and "rejected" in line]
        assert len(lines) == 1, (name, result.stdout)
    # a second run neither re-rejects nor duplicates
    before = counts(warehouse)
    speech_etl("ingest", str(folder), "--warehouse", str(warehouse))
    assert counts(warehouse) == before


def test_changed_file_replaces_its_old_version_and_same_text_is_one_document(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("第一篇讲话\n同志们:\n今年以来,城镇新增就业120万人。", encoding="utf-8")
    (folder / "copy_of_a.md").write_text("第一篇讲话\n同志们:\n今年以来,城镇新增就业120万人。", encoding="utf-8")
    (folder / "b.txt").write_text("第二篇讲话\n同志们:\n上半年立案3万件。", encoding="utf-8")
    (folder / "scan.tif").write_bytes(b"II*\x00 not a speech file type")
    warehouse = tmp_path / "w"
    first = speech_etl("ingest", str(folder), "--warehouse", str(warehouse))
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 2
    assert "1 files of other types ignored" in first.stdout  # found in a folder: skipped, said, not rejected
    assert query(warehouse, "SELECT count(*) FROM rejects")[0][0] == 0
    (folder / "b.txt").write_text("第二篇讲话(修订)\n同志们:\n上半年立案4万件。", encoding="utf-8")
    speech_etl("ingest", str(folder), "--warehouse", str(warehouse))
    titles = sorted(t for (t,) in query(warehouse, "SELECT title FROM documents"))
    assert titles == ["第一篇讲话", "第二篇讲话(修订)"]
    live = {d for (d,) in query(warehouse, "SELECT doc_id FROM documents")}
    for table in ("sections", "terms", "metrics"):
        orphans = query(warehouse, f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        assert orphans[0][0] == 0, table
    assert len(live) == 2


def test_usage_errors_are_one_line_with_exit_2(tmp_path):
    missing = speech_etl("ingest", str(tmp_path / "nope"), check=False)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file or folder" in missing.stderr
    bad_option = speech_etl("ingest", "--bogus", check=False)
    assert bad_option.returncode == 2 and bad_option.stderr.strip().count("\n") == 0


def test_sql_command_formats_and_errors(tmp_path):
    warehouse = tmp_path / "w"
    no_warehouse = speech_etl("sql", "SELECT 1", "--warehouse", str(warehouse), check=False)
    assert no_warehouse.returncode == 1 and "no warehouse" in no_warehouse.stderr
    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE_SPEECH, tmp_path / "in" / "speech.txt")
    speech_etl("ingest", str(tmp_path / "in"), "--warehouse", str(warehouse))
    as_json = speech_etl("sql", "SELECT title, is_truncated FROM documents", "--warehouse", str(warehouse),
                         "--format", "json")
    assert json.loads(as_json.stdout) == [{"title": "在全市城管系统工作推进会上的讲话", "is_truncated": True}]
    as_csv = speech_etl("sql", "SELECT count(*) AS n FROM documents", "-w", str(warehouse), "-f", "csv")
    assert as_csv.stdout.splitlines() == ["n", "1"]
    broken = speech_etl("sql", "SELEC nonsense", "-w", str(warehouse), check=False)
    assert broken.returncode == 1 and broken.stderr.strip().count("\n") == 0
    write = speech_etl("sql", "DROP TABLE documents", "-w", str(warehouse), check=False)
    assert write.returncode == 1
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 1


def test_a_run_with_nothing_to_do_needs_no_flow_run(tmp_path):
    """flows/up_to_date.py: an unchanged folder over a current warehouse is
    answered without Prefect; anything else goes through the flow."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_SPEECH, inbox / "speech.txt")
    warehouse = tmp_path / "w"
    first = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse))
    assert "no flow run needed" not in first.stderr
    inode = (warehouse / "warehouse.duckdb").stat().st_ino

    # without PREFECT_API_URL, as a run that needed Prefect would start a temporary server and say so
    second = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse), temporary_server=True)
    assert "no flow run needed" in second.stderr
    assert "Nothing new: no rows added to any table." in second.stdout
    assert "Prefect: temporary server" not in second.stderr + second.stdout
    assert (warehouse / "warehouse.duckdb").stat().st_ino == inode

    # a touched file (same text, new mtime) and a copy of it (same text, new path) are read by the
    # flow, which finds their text held: nothing new, but their sources rows and so the run are recorded
    os.utime(inbox / "speech.txt", ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    shutil.copy(SAMPLE_SPEECH, inbox / "copy.md")
    touched = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse))
    assert "no flow run needed" not in touched.stderr
    assert "Nothing new: the 2 files read hold texts the warehouse already has" in touched.stdout
    runs = query(warehouse, "SELECT files_new, documents_written, finished_at IS NOT NULL, flow_run_id IS NOT NULL "
                            "FROM runs ORDER BY started_at")
    assert runs == [(1, 1, True, True), (1, 0, True, True)]
    assert query(warehouse, "SELECT commits_added > 0 FROM _build") == [(True,)]  # the published file plus this run's commits

    # a warehouse file that is not current (here: gone) is rebuilt by the flow
    (warehouse / "warehouse.duckdb").unlink()
    rebuilt = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse))
    assert "no flow run needed" not in rebuilt.stderr
    assert "stopped before it finished" not in rebuilt.stderr  # every run that committed has its runs row
    assert query(warehouse, "SELECT count(*) FROM documents")[0][0] == 1
    assert query(warehouse, "SELECT count(*) FROM runs WHERE finished_at IS NULL")[0][0] == 0

    # a report asked for is written by the flow, even with nothing new
    report = tmp_path / "report.html"
    reported = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse), "--report", str(report))
    assert "no flow run needed" not in reported.stderr
    assert report.exists()

    # --rebuild builds the file whole from the lake even when nothing changed
    built_before = query(warehouse, "SELECT built_at FROM _build")[0][0]
    forced = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse), "--rebuild")
    assert "no flow run needed" not in forced.stderr
    assert query(warehouse, f"SELECT commits_added, built_at > TIMESTAMP '{built_before}' FROM _build") == [(None, True)]


def test_a_damaged_lake_is_one_line_and_recoverable(tmp_path):
    warehouse = tmp_path / "w"
    speech_etl("ingest", str(SAMPLE_SPEECH), "--warehouse", str(warehouse))
    before = counts(warehouse)
    lake = warehouse / "lake"
    # a committed file that is not Parquet (a disk fault, a hand edit)
    (lake / "documents" / "zzzz-damaged.parquet").write_bytes(b"not parquet")
    (lake / "_commits" / "zzzz-damaged.json").write_text(json.dumps(
        {"name": "zzzz-damaged", "files": {"documents": "documents/zzzz-damaged.parquet"}, "retired": []}))
    # ... and a manifest that is not JSON
    (lake / "_commits" / "zzzz-manifest.json").write_text("{half a manifest")
    for bad, why in (("zzzz-manifest.json", "is not valid JSON"), ("zzzz-damaged.json", "cannot be read")):
        result = speech_etl("ingest", str(SAMPLE_SPEECH), "--warehouse", str(warehouse), check=False)
        assert result.returncode == 1, result.stderr
        assert why in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        (lake / "_commits" / bad).rename(tmp_path / bad)  # what the message says to do
    # with the damaged batch moved out, the run goes on and nothing was lost
    speech_etl("ingest", str(SAMPLE_SPEECH), str(SAMPLES / "work_reports"), "--warehouse", str(warehouse))
    after = counts(warehouse)
    assert after["documents"] == before["documents"] + 7


def test_a_lake_folder_inside_the_inputs_is_not_read_as_input(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_SPEECH, inbox / "speech.txt")
    warehouse = tmp_path / "w"
    speech_etl("ingest", str(inbox), "--warehouse", str(warehouse), "--lake", str(inbox / "lake"))
    assert list((inbox / "lake" / "documents").glob("*.parquet"))
    assert json.loads((warehouse / "lake.json").read_text())["url"] == str((inbox / "lake").resolve())
    # the lake's Parquet files and manifests are not inputs (not even ignored ones)
    (inbox / "speech.txt").touch()  # so the second run goes through the flow and logs its plan
    second = speech_etl("ingest", str(inbox), "--warehouse", str(warehouse))
    assert "1 files: 1 to read, 0 unchanged, 0 deleted, 0 of other types ignored" in second.stderr + second.stdout


def test_a_long_run_shows_a_progress_bar(tmp_path):
    """Past a few files, a progress bar: files read and batches committed (on a
    terminal it redraws in place; into a pipe it is written once, at the end)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(100):  # README shows it on 1 000 files; a hundred cost less and show the same
        (inbox / f"note_{n:03d}.txt").write_text(f"第{n}号通报\n今年以来,城镇新增就业{n + 1}万人。\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "speech_etl", "ingest", str(inbox), "--warehouse", str(tmp_path / "w"),
         "--task-runner", "threads", "--workers", "1"],  # no worker processes to start: the bar is the point
        capture_output=True, text=True, timeout=600, env=cli_env(SPEECH_ETL_BATCH_FILES="25"))
    assert result.returncode == 0, result.stderr
    bar = [line for line in result.stderr.splitlines() if "100/100 files" in line]
    assert len(bar) == 1 and "done" in bar[0] and "batch 4/4" in bar[0], result.stderr
    assert "Task run" not in result.stderr
    assert "Rows added: documents 100," in result.stdout

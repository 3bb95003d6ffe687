"""The lake at an fsspec URL (`--lake`): the same commits, orphans and
dropped duplicates as a local folder (on fsspec's in-memory file system),
and a whole ingest into S3 (a real S3-compatible server on loopback, worker
processes writing to it) giving the same tables as a local run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import ROOT, SAMPLE_SPEECH, SAMPLES, SAMPLES_BATCH_BYTES, cli_env, warehouse_tables
from flows.files import InputFile
from flows.ingest import process_batch, write_batch
from warehouse import schema
from warehouse.lake import LOCATION_FILE, Lake, LakeLocationError, open_lake


def _input(path: Path) -> InputFile:
    stat = path.stat()
    return InputFile(str(path), stat.st_size, stat.st_mtime_ns)


def _same_text_twice(folder: Path) -> tuple[Path, Path]:
    """Two files holding the same text: one document, read in two batches."""
    first, second = folder / "a.txt", folder / "b.txt"
    shutil.copy(SAMPLE_SPEECH, first)
    shutil.copy(SAMPLE_SPEECH, second)
    return first, second


@pytest.fixture(params=["folder", "memory"])
def lake(request, tmp_path) -> Lake:
    if request.param == "folder":
        return Lake(tmp_path / "lake")
    return Lake(f"memory://speech-etl-test-{uuid.uuid4().hex}/lake")


def test_commits_duplicates_and_orphans_on_any_store(lake, tmp_path):
    first, second = _same_text_twice(tmp_path)
    state = lake.state()
    results = [process_batch.fn([_input(p)], {}, "r", lake.url, f"r-{n:05d}")
               for n, p in enumerate((first, second), start=1)]  # one batch each, written, not committed
    assert lake.commits() == [] and lake.state().live_doc_ids == set()  # written, not committed

    counts = [write_batch.fn(lake, r, state) for r in results]
    assert counts[0]["documents"] == 1 and counts[1]["documents"] == 0 and counts[1]["sources"] == 1
    commits = lake.commits()
    assert [c.name for c in commits] == ["r-00001", "r-00002"]
    assert set(commits[1].files) == {"sources"}  # the copy's document rows were dropped at commit
    con = lake.connect()
    rows = con.execute("SELECT source_path FROM read_parquet(?)", [[p for p, _ in lake.files("documents")]]).fetchall()
    assert rows == [(str(first),)]
    assert lake.state().live_doc_ids == {d[0] for d in results[0].docs}
    assert lake.remove_orphans() == []  # the dropped copy's files are gone already

    # a batch that is written but never committed is an orphan, removed by the next run
    third = process_batch.fn([_input(first)], {}, "r", lake.url, "r-00003")
    assert lake.remove_orphans() and lake.commits() == commits
    assert all(f not in {n for c in lake.commits() for n in c.files.values()} for f in third.files.values())


def test_a_commit_that_failed_half_way_can_be_retried(lake, tmp_path, monkeypatch):
    """write-batch is retried on I/O errors: a commit that dropped a duplicate's
    rows and then failed to write its manifest must find the batch's files as
    they were."""
    first, second = _same_text_twice(tmp_path)
    state = lake.state()
    results = [process_batch.fn([_input(p)], {}, "r", lake.url, f"r-{n:05d}")
               for n, p in enumerate((first, second), start=1)]  # one batch each, written, not committed
    write_batch.fn(lake, results[0], state)
    output = lake.store.output

    def manifest_fails_once(relative):
        if relative.startswith("_commits/"):
            monkeypatch.setattr(lake.store, "output", output)
            raise OSError(28, "No space left on device")
        return output(relative)

    monkeypatch.setattr(lake.store, "output", manifest_fails_once)
    with pytest.raises(OSError):
        write_batch.fn(lake, results[1], state)
    assert len(lake.commits()) == 1
    counts = write_batch.fn(lake, results[1], state)  # the retry
    assert counts["documents"] == 0 and counts["sources"] == 1
    assert [c.name for c in lake.commits()] == ["r-00001", "r-00002"]
    assert lake.remove_orphans() == []


def test_an_aborted_batch_leaves_nothing(lake):
    writer = lake.batch_writer("r-00001")
    writer.write("rejects", pa.table({"source_path": ["x"], "source_record": [None], "reason": ["empty"],
                                      "detail": ["d"], "run_id": ["r"], "seen_at": [None]},
                                     schema=schema.REJECTS))
    writer.abort()
    assert lake.store.names("rejects") == []


def test_a_warehouse_keeps_one_lake(tmp_path):
    warehouse = tmp_path / "w"
    elsewhere = tmp_path / "elsewhere"
    lake = open_lake(warehouse, elsewhere, record=True)
    assert lake.root == elsewhere.resolve()
    assert json.loads((warehouse / LOCATION_FILE).read_text())["url"] == str(elsewhere.resolve())
    assert open_lake(warehouse).url == str(elsewhere.resolve())  # later runs find it without the option
    with pytest.raises(LakeLocationError, match="already uses the lake"):
        open_lake(warehouse, tmp_path / "third")
    with pytest.raises(LakeLocationError):
        Lake("nosuchprotocol://bucket/lake")


# -- a lake on S3 --------------------------------------------------------------
BUCKET = "speech-etl-lake"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    pytest.importorskip("s3fs")
    pytest.importorskip("moto")
    from s3_server import S3Server

    server = S3Server(tmp_path_factory.mktemp("s3") / "server.log")
    try:
        server.make_bucket(BUCKET)
        yield server
    finally:
        server.stop()


def _speech_etl(s3, *args: str) -> subprocess.CompletedProcess:
    env = cli_env(**s3.env, SPEECH_ETL_BATCH_BYTES=SAMPLES_BATCH_BYTES)  # several batches from the samples
    return subprocess.run([sys.executable, "-m", "speech_etl", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_an_ingest_into_s3_equals_a_local_run(s3, tmp_path, samples_in_batches):
    url = f"s3://{BUCKET}/lake"
    on_s3 = _ok(_speech_etl(s3, "ingest", str(SAMPLES), "--warehouse", str(tmp_path / "s3"), "--lake", url,
                            "--workers", "2"))
    assert "batch 2/" in on_s3.stdout + on_s3.stderr  # several batches, written by worker processes

    assert not (tmp_path / "s3" / "lake").exists()  # the lake is in the bucket, not beside the database
    s3.apply()
    remote = Lake(url)
    assert remote.commits() and remote.store.names("documents")
    # the same ingest with the lake in the warehouse folder (conftest)
    s3_tables, local_tables = warehouse_tables(tmp_path / "s3"), warehouse_tables(samples_in_batches)
    assert {"documents", "sections", "metrics", "terms", "rejects"} <= set(local_tables)
    assert len(local_tables["documents"]) > 0
    for name in local_tables:
        assert s3_tables[name] == local_tables[name], name

    # the warehouse remembers its lake: a second run without --lake finds it and has nothing to do
    again = _ok(_speech_etl(s3, "ingest", str(SAMPLES), "--warehouse", str(tmp_path / "s3")))
    assert "no flow run needed" in again.stderr
    assert len(remote.commits()) == len(Lake(url).commits())

    # ... and refuses another one, in one line
    other = _speech_etl(s3, "ingest", str(SAMPLES), "--warehouse", str(tmp_path / "s3"), "--lake",
                        f"s3://{BUCKET}/other")
    assert other.returncode == 2 and "already uses the lake" in other.stderr
    assert "Traceback" not in other.stderr and len(other.stderr.strip().splitlines()) == 1


def test_a_failed_write_to_s3_leaves_nothing(s3):
    s3.apply()
    store = Lake(f"s3://{BUCKET}/aborts").store
    for size in (10, 12 * 2**20):  # one request, and a multipart upload (above s3fs's 5 MB blocks)
        with pytest.raises(RuntimeError):
            with store.output(f"documents/x-{size}.parquet") as fh:
                fh.write(b"x" * size)
                raise RuntimeError("the batch failed")
    assert store.names("documents") == []
    with store.output("documents/kept.parquet") as fh:
        fh.write(b"whole")
    assert store.names("documents") == ["kept.parquet"] and store.read_bytes("documents/kept.parquet") == b"whole"


def test_an_unreachable_lake_is_one_line(s3, tmp_path):
    missing = _speech_etl(s3, "ingest", str(SAMPLE_SPEECH), "--warehouse", str(tmp_path / "w"),
                          "--lake", "s3://no-such-bucket-here/lake")
    assert missing.returncode == 1, missing.stderr
    assert "cannot write the lake at s3://no-such-bucket-here/lake" in missing.stderr
    assert "Traceback" not in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "w" / LOCATION_FILE).exists()

    unknown = _speech_etl(s3, "ingest", str(SAMPLE_SPEECH), "--warehouse", str(tmp_path / "w"),
                          "--lake", "nosuchprotocol://x/lake")
    assert unknown.returncode == 2 and "nosuchprotocol" in unknown.stderr
    assert "Traceback" not in unknown.stderr

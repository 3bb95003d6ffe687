"""Batch sizes (flows/files.py): a run's first batches are large (each batch
costs a worker a fixed share of a second in Prefect's task engine) and its
last ones small, so the workers finish together. A large .jsonl file is read
in parts, with the rows of the file read whole (flows/parts.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import query, warehouse_tables
from flows.files import MAX_BATCH_BYTES, MIN_BATCH_BYTES, InputFile, batches, discover, plan
from flows.ingest import batch_calls, commit_batch, known_files, new_run_id, process_batch, write_batch
from flows.parts import FilePart, cut
from transforms.limits import ReadLimits
from warehouse import load
from warehouse.lake import open_lake

CATALOG = [{"indicator_key": "gdp", "name_zh": "国内生产总值", "aliases": [], "preferred_unit": "亿元"}]


def _files(n: int, size: int) -> list[InputFile]:
    return [InputFile(f"/in/{i}.txt", size, 0) for i in range(n)]


def _sizes(groups: list[list[InputFile]]) -> list[int]:
    return [sum(f.size for f in g) for g in groups]


def test_batches_shrink_from_large_ones_to_the_smallest_as_the_run_goes():
    files = _files(200, 500_000)  # 100 MB
    groups = batches(files, MIN_BATCH_BYTES, 600, workers=2)
    assert [f for g in groups for f in g] == files  # every file once, in order
    sizes = _sizes(groups)
    assert sizes[0] == MAX_BATCH_BYTES and sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= MIN_BATCH_BYTES and 10 <= len(groups) <= 20  # 25 of 4 MB each before
    # at the end, no batch holds more than the rest over twice the workers (or the smallest size)
    for i, size in enumerate(sizes):
        assert size <= max(MIN_BATCH_BYTES, sum(sizes[i:]) // 4)


def test_a_size_the_user_sets_or_unknown_workers_keep_batches_of_one_size():
    files = _files(100, 500_000)
    assert set(_sizes(batches(files, 2_000_000, 600))) == {2_000_000}
    assert [len(g) for g in batches(_files(10, 10), 1_000, 4, workers=2)] == [4, 4, 2]  # files per batch too
    assert _sizes(batches(_files(3, 9_000_000), MIN_BATCH_BYTES, 600, workers=2)) == [9_000_000] * 3  # one each


# -- large .jsonl files read in parts (flows/parts.py) -------------------------
PART_BYTES = 9000  # parts of a few records each
LIMITS = ReadLimits(max_document_chars=400)  # some records past it: rejected alone, by line


def _records(sample_reports: dict, numbers: range) -> list[dict]:
    """Short records (100-450 characters) cut from the sample reports, one per number."""
    texts = [r["content"] for r in sample_reports.values()]
    return [{"title": f"第{i + 1}篇", "year": 2000 + i % 20,
             "content": f"第{i + 1}篇。" + texts[i % len(texts)][i * 97 % 5000:][:100 + i * 53 % 350]}
            for i in numbers]


def _jsonl(records: list, line_end: str = "\n") -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + line_end for r in records)


def _run(inbox: Path, warehouse: Path, part_bytes: int) -> tuple[list[dict], int]:
    """One run over `inbox` as the flow makes it (without Prefect): plan,
    batches, their commits, the build. Returns the calls and the files read."""
    lake = open_lake(warehouse, record=True)
    state = lake.state()
    work = plan(discover([inbox], exclude=[warehouse]), [inbox], state)
    known, run_id = known_files(state), new_run_id()
    calls, split = batch_calls(work.to_read, known, run_id, lake.url, part_bytes, 600, LIMITS)
    for call in calls:
        commit_batch(lake, process_batch.fn(**call), state, split, known, run_id, write_batch.fn)
    load.build(warehouse, CATALOG)
    return calls, len(work.to_read)


def test_a_jsonl_file_read_in_parts_gives_the_rows_of_a_whole_read(tmp_path, sample_reports):
    records = _records(sample_reports, range(45))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plain, marked = inbox / "plain.jsonl", inbox / "bom_crlf.jsonl"
    lines = [*records[:20], "{not json", records[3], *records[20:35], "", *[""] * 20000, *records[35:]]
    plain.write_text(_jsonl(lines), encoding="utf-8")  # a bad line, a repeat, a part of blank lines
    marked.write_bytes(b"\xef\xbb\xbf" + _jsonl(_records(sample_reports, range(100, 125)), "\r\n").encode("utf-8"))
    whole, parts = tmp_path / "whole", tmp_path / "parts"

    def both() -> list[dict]:
        _run(inbox, whole, 10 ** 9)
        calls, _ = _run(inbox, parts, PART_BYTES)
        assert warehouse_tables(parts) == warehouse_tables(whole)
        return calls

    calls = both()
    read = [item for call in calls for item in call["files"]]
    assert all(isinstance(item, FilePart) for item in read) and len(read) >= 6
    assert any(not plain.read_bytes()[p.start:p.end].strip() for p in read if p.stored.endswith("plain.jsonl"))
    tables = warehouse_tables(parts)
    assert len(tables["sources"]) == 2  # one row per file, written once its parts are in
    rejects = query(parts, "SELECT reason, source_record FROM rejects WHERE source_path LIKE '%plain.jsonl'")
    assert ("malformed_record", 21) in rejects and "too_large" in {reason for reason, _ in rejects}  # by line
    assert query(parts, "SELECT DISTINCT encoding FROM documents ORDER BY 1") == [("utf-8",), ("utf-8-sig",)]

    # a changed file: a record replaced, one gone; the other file touched only (read whole, found unchanged)
    plain.write_text(_jsonl([{"content": "第一篇换了。今年国内生产总值增长5%。"}, *records[2:]]),
                     encoding="utf-8")
    os.utime(marked)
    calls = both()
    assert [type(item) for call in calls for item in call["files"]].count(InputFile) == 1
    assert query(parts, "SELECT count(*) FROM documents WHERE title = '第1篇'") == [(0,)]  # retired

    # the file rejected whole (no record loads): its last good documents stay
    plain.write_text(_jsonl(["{not json"] * 3000), encoding="utf-8")
    both()
    assert query(parts, "SELECT status, len(doc_ids) > 0 FROM sources WHERE source_path LIKE '%plain.jsonl' "
                        "ORDER BY seen_at DESC LIMIT 1") == [("rejected", True)]


def test_only_a_file_that_is_utf8_as_a_whole_is_cut(tmp_path):
    text = _jsonl([{"content": f"第{i}篇:城市管理工作推进会。" * 20} for i in range(200)])
    utf8, legacy = tmp_path / "utf8.jsonl", tmp_path / "gb.jsonl"
    utf8.write_text(text, encoding="utf-8")
    legacy.write_bytes(text.encode("gb18030"))
    parts = cut(InputFile(str(utf8), utf8.stat().st_size, 0), PART_BYTES)
    assert len(parts) >= 5 and parts[0].start == 0 and parts[-1].end == utf8.stat().st_size
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))  # every byte in one part, cut at line ends
    assert [p.first_line for p in parts] == [1 + utf8.read_bytes()[:p.start].count(b"\n") for p in parts]
    assert cut(InputFile(str(legacy), legacy.stat().st_size, 0), PART_BYTES) is None  # its encoding is judged whole
    with_nul = tmp_path / "nul.jsonl"
    with_nul.write_bytes(utf8.read_bytes() + b'{"content": "\x00"}\n')
    assert cut(InputFile(str(with_nul), with_nul.stat().st_size, 0), PART_BYTES) is None

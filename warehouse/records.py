"""Turn processed documents into Arrow tables with the declared schemas."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import pyarrow as pa

from transforms.document import Document
from warehouse import schema


def document_row(doc: Document, source_path: str, run_id: str, ingested_at: dt.datetime) -> dict:
    return {
        "doc_id": doc.doc_id,
        "source_path": source_path,
        "source_format": doc.source.source_format,
        "source_record": doc.source.source_record,
        "encoding": doc.source.encoding,
        "title": doc.title,
        "issuer": doc.issuer,
        "region": doc.region,
        "doc_type": doc.doc_type,
        "delivered_on": doc.delivered_on,
        "published_at": doc.published_at,
        "year": doc.year,
        "char_count": len(doc.text),
        "declared_char_count": doc.declared_char_count,
        "is_truncated": doc.is_truncated,
        "omitted_chars": doc.omitted_chars,
        "masked_count": doc.masked_count,
        "run_id": run_id,
        "ingested_at": ingested_at,
        "text": doc.text,
    }


def _rows(items: Iterable) -> list[dict]:
    return [dataclasses.asdict(item) for item in items]


def document_tables(
    docs: Iterable[tuple[Document, str]], run_id: str, ingested_at: dt.datetime
) -> dict[str, pa.Table]:
    """Tables of the documents, sections, metrics and terms of (document, source path)
    pairs; a text read from several files is written once, under its first path."""
    rows: dict[str, list[dict]] = {name: [] for name in schema.DOCUMENT_TABLES}
    seen: set[str] = set()
    for doc, source_path in docs:
        if doc.doc_id in seen:
            continue
        seen.add(doc.doc_id)
        rows["documents"].append(document_row(doc, source_path, run_id, ingested_at))
        rows["sections"].extend(_rows(doc.sections))
        rows["metrics"].extend(_rows(doc.metrics))
        rows["terms"].extend(_rows(doc.terms))
    return {name: pa.Table.from_pylist(rows[name], schema=schema.DOCUMENT_TABLES[name]) for name in rows}


def table(rows: list[dict], table_schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table_schema)

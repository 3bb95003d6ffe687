"""Turn processed documents into Arrow tables with the declared schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import attrgetter

import pyarrow as pa
import pyarrow.compute as pc

from transforms.document import Document
from transforms.segment import TermList
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
        "date_source": doc.date_source,
        "region_code": doc.region_code,
        "region_level": doc.region_level,
        "report_period_start": doc.report_period_start,
        "report_period_end": doc.report_period_end,
        "pages": doc.source.pages,
        "chrome_removed_chars": doc.chrome_removed_chars,
        "chrome_kept_chars": doc.chrome_kept_chars,
    }


def _columns(items: list, table_schema: pa.Schema) -> pa.Table:
    """A table of dataclass objects whose field names are the schema's columns,
    built column by column (one C-level pass per column, no dict or tuple per row)."""
    if not items:
        return table_schema.empty_table()
    if all(hasattr(items[0], f.name) for f in table_schema):
        columns = [list(map(attrgetter(f.name), items)) for f in table_schema]
    else:
        columns = [[getattr(item, f.name, None) for item in items] for f in table_schema]
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, table_schema)],
                                schema=table_schema)


def _term_table(docs: list[Document]) -> pa.Table:
    """The terms of all documents (millions of rows in a big batch), built as
    columns: the term and count columns are one list each, converted once; the
    doc_id and section_id columns are run-length decoded (no Python object per row)."""
    lists = [doc.terms for doc in docs if len(doc.terms)]
    if not all(isinstance(t, TermList) for t in lists):  # Term objects: each row has its own doc_id
        rows = [term for t in lists for term in t]
        return pa.Table.from_arrays([pa.array([getattr(r, f.name) for r in rows], f.type) for f in schema.TERMS],
                                    schema=schema.TERMS)
    if not lists:
        return schema.TERMS.empty_table()
    section_runs = list(chain.from_iterable(t.section_runs for t in lists))
    columns = {
        "doc_id": _runs([t.doc_id for t in lists], list(map(len, lists))),
        "section_id": _runs([sid for sid, _ in section_runs], [n for _, n in section_runs]),
        "term": pa.array(list(chain.from_iterable(t.terms for t in lists)), pa.string()),
        "count": pa.array(list(chain.from_iterable(t.counts for t in lists)), pa.int32()),
    }
    return pa.Table.from_arrays([columns[f.name] for f in schema.TERMS], schema=schema.TERMS)


def _runs(values: list[str], lengths: list[int]) -> pa.Array:
    """A string column holding each value `length` times (lengths above 0)."""
    ends = pa.array(list(accumulate(lengths)), pa.int64())
    return pc.run_end_decode(pa.RunEndEncodedArray.from_arrays(ends, pa.array(values, pa.string())))


def document_tables(
    docs: Iterable[tuple[Document, str]], run_id: str, ingested_at: dt.datetime
) -> dict[str, pa.Table]:
    """Tables of the documents, sections, metrics and terms of (document, source path)
    pairs; a text read from several files is written once, under its first path."""
    pairs: list[tuple[Document, str]] = []
    seen: set[str] = set()
    for doc, source_path in docs:
        if doc.doc_id not in seen:
            seen.add(doc.doc_id)
            pairs.append((doc, source_path))
    documents = [document_row(doc, source_path, run_id, ingested_at) for doc, source_path in pairs]
    only_docs = [doc for doc, _ in pairs]
    tables = {
        "documents": pa.Table.from_pylist(documents, schema=schema.DOCUMENTS),
        "sections": _columns([s for doc in only_docs for s in doc.sections], schema.SECTIONS),
        "metrics": _columns([m for doc in only_docs for m in doc.metrics], schema.METRICS),
        "terms": _term_table(only_docs),
    }
    return {name: tables[name] for name in schema.DOCUMENT_TABLES}


def table(rows: list[dict], table_schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table_schema)

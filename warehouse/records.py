"""Turn processed documents into Arrow tables with the declared schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter

import pyarrow as pa

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
    }


def _columns(items: list, table_schema: pa.Schema) -> pa.Table:
    """A table of dataclass objects whose field names are the schema's columns,
    built column by column (no dict per row: one tuple per row, transposed)."""
    if not items:
        return table_schema.empty_table()
    names = [f.name for f in table_schema]
    if all(hasattr(items[0], n) for n in names):
        columns = list(zip(*map(attrgetter(*names), items))) if len(names) > 1 else [
            [getattr(item, names[0]) for item in items]]
    else:
        columns = [[getattr(item, n, None) for item in items] for n in names]
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, table_schema)],
                                schema=table_schema)


def _term_table(docs: list[Document]) -> pa.Table:
    doc_ids: list[str] = []
    section_ids: list[str] = []
    terms: list[str] = []
    counts: list[int] = []
    for doc in docs:
        t = doc.terms
        if isinstance(t, TermList):  # columns already
            doc_ids.extend(repeat(t.doc_id, len(t)))
            section_ids.extend(t.section_ids)
            terms.extend(t.terms)
            counts.extend(t.counts)
        else:
            for term in t:
                doc_ids.append(term.doc_id)
                section_ids.append(term.section_id)
                terms.append(term.term)
                counts.append(term.count)
    columns = {"doc_id": doc_ids, "section_id": section_ids, "term": terms, "count": counts}
    return pa.Table.from_arrays([pa.array(columns[f.name], type=f.type) for f in schema.TERMS], schema=schema.TERMS)


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

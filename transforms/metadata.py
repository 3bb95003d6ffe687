"""Metadata: title, issuer, region, type, delivery date and year of a document.

What the user stated (jsonl fields) always wins; the rest is read from the
title and the text with the patterns of `doc_types.yaml`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from transforms.document import Document
from transforms.knowledge import load_yaml

_TITLE_MAX = 60
_SENTENCE_PUNCT = re.compile(r"[。;!?,:]$")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})年")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@cache
def _spec() -> dict:
    spec = load_yaml("doc_types.yaml")
    return {
        "doc_types": [(d["type"], [re.compile(p) for p in d["title_patterns"]]) for d in spec["doc_types"]],
        "issuers": [(re.compile(i["pattern"]), i["issuer"], i["region"]) for i in spec["issuers"]],
        "delivered": [re.compile(p) for p in spec["delivered_patterns"]],
        "salutations": tuple(spec["salutations"]),
    }


def parse_date(value: object) -> dt.date | None:
    """A date from a user's field: 2014-03-05, 2014/3/5, 2014年3月5日, or a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE.search(value)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def _parse_year(value: object) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1000 <= year <= 2999 else None


def infer_title(text: str) -> str | None:
    """The first line, when it reads like a title (short, no sentence punctuation)."""
    first = text.split("\n", 1)[0].strip()
    if not first or len(first) > _TITLE_MAX or _SENTENCE_PUNCT.search(first):
        return None
    if first.rstrip(":").startswith(_spec()["salutations"]):
        return None
    return first


def infer_doc_type(title: str | None) -> str:
    for doc_type, patterns in _spec()["doc_types"]:
        if title and any(p.search(title) for p in patterns):
            return doc_type
    return "other"


def infer_issuer(title: str | None, text: str) -> tuple[str | None, str | None]:
    for haystack in (title or "", text[:300]):
        for pattern, issuer, region in _spec()["issuers"]:
            match = pattern.search(haystack)
            if match:
                groups = match.groupdict()
                return issuer.format(**groups), region.format(**groups)
    return None, None


def infer_delivered_on(text: str) -> dt.date | None:
    """The text's own "2014年3月5日在…会议上" (near its start or its end)."""
    for part in (text[:500], text[-300:]):
        for pattern in _spec()["delivered"]:
            match = pattern.search(part)
            if match:
                try:
                    return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
                except ValueError:
                    continue
    return None


def metadata(doc: Document) -> Document:
    meta = doc.source.meta
    doc.title = (meta.get("title") or "").strip() or infer_title(doc.text)
    inferred_issuer, inferred_region = infer_issuer(doc.title, doc.text)
    doc.issuer = meta.get("issuer") or inferred_issuer
    doc.region = meta.get("region") or inferred_region
    doc.doc_type = meta.get("doc_type") or infer_doc_type(doc.title)
    doc.delivered_on = parse_date(meta.get("date")) or infer_delivered_on(doc.text)
    title_year = _YEAR_IN_TITLE.search(doc.title or "")
    doc.year = (
        _parse_year(meta.get("year"))
        or (doc.delivered_on.year if doc.delivered_on else None)
        or (int(title_year.group(1)) if title_year else None)
        or (doc.published_at.year if doc.published_at else None)
    )
    return doc

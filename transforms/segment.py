"""Segment: jieba tokens per leaf section, counted, without stopwords,
punctuation and bare numbers.

jieba runs with the domain dictionary `data/userdict.txt` so words such as
拆墙透绿 or 供给侧结构性改革 stay whole.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

import jieba

from transforms.document import Document, Term
from transforms.knowledge import data_path, load_word_list

# A token with no letter or CJK character: punctuation, spaces, bare numbers
# (2013, 56.9, 7.7%), underscores.
_NOT_A_WORD = re.compile(r"[\W\d_.%]*", re.UNICODE)


@cache
def tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter
    tok = jieba.Tokenizer()
    tok.initialize()
    with data_path("userdict.txt").open("r", encoding="utf-8") as fh:
        entries = [line for line in fh.read().splitlines() if line.strip() and not line.startswith("#")]
    for entry in entries:
        parts = entry.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else None
        tag = parts[2] if len(parts) > 2 else None
        tok.add_word(word, freq, tag)
    return tok


@cache
def stopwords() -> frozenset[str]:
    return frozenset(load_word_list("stopwords.txt"))


def tokens(text: str) -> list[str]:
    return tokenizer().lcut(text)


def count_terms(text: str) -> Counter[str]:
    stop = stopwords()
    counts: Counter[str] = Counter(tokens(text))
    return Counter({
        term: n for term, n in counts.items()
        if term not in stop and not _NOT_A_WORD.fullmatch(term)
    })


def segment(doc: Document) -> Document:
    doc.terms = [
        Term(doc_id=doc.doc_id, section_id=leaf.section_id, term=term, count=count)
        for leaf in doc.leaf_sections()
        for term, count in sorted(count_terms(leaf.text).items())
    ]
    return doc

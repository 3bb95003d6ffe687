"""How much of one input the readers take on: the bounds that keep any single
file from exhausting a worker's memory or time (issue 13).

The defaults are the settings' defaults (`speech_etl/settings.py`, each one a
`SPEECH_ETL_MAX_*` variable); docs/limits.md says why each is what it is.
An input past a bound is one `rejects` row with reason `too_large`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    # a file larger than this is rejected unread (a .jsonl's many documents included)
    max_file_bytes: int = 64 << 20
    # one document's text: the longest work report is about 40 000 characters,
    # a whole year's bulletins in one file a few hundred thousand; the pipeline
    # takes about 150 bytes a character, so two workers at this bound stay
    # under the run's 1.5 GB
    max_document_chars: int = 1_000_000
    # a .docx's word/document.xml, uncompressed (a 300-page report is a few MB)
    max_docx_part_bytes: int = 32 << 20
    # all parts of a .docx together, uncompressed (images included, though never read)
    max_docx_bytes: int = 256 << 20
    # elements open at once in an HTML page (real pages: under 100); the
    # parser's time grows with the square of it: 0.1 s at 10 000, 15 s at 100 000
    max_html_depth: int = 16_000
    # pages of one PDF (a year's statistical yearbook is under 1 000; each page's
    # text is held until the document is read)
    max_pdf_pages: int = 3000

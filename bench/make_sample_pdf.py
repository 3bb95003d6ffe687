"""Build the sample PDF: a county bureau's year summary laid out as such
offices publish it (A4, 三号 text, a running header, `- N -` page numbers),
from bench/pdf_maker.py's DEMO_REPORT. Run from the repository's root:

    .venv/bin/python bench/make_sample_pdf.py

Rebuilding gives the same bytes (fixed creation date, same font).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pdf_maker import demo_blocks, report_pdf  # noqa: E402

OUT = ROOT / "samples" / "local_reports" / "county_bureau_2024_summary.pdf"
HEADER = "某某县城市管理局文件"


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(report_pdf(demo_blocks(), header=HEADER))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""HTML progress reports from the warehouse (docs/report.md).

`build_report(warehouse_dir, out, ReportOptions(...))` writes one
self-contained page: the overview (indicator charts (Vega-Lite), targets
against outcomes, term rises and falls between two documents or periods, new
sections), an issuer's progress toward the year's targets (page="progress"),
or one indicator across the regions of a level (page="regions").
queries.py asks the warehouse; charts.py, lines.py, progress.py, regions.py
and compare.py are pure; pages.py and build.py make the models, html.py
renders with a CJK font subset (fonts.py).
"""

from report.build import ReportResult, build_report, report_model
from report.options import ReportOptions
from report.queries import ReportError

__all__ = ["ReportError", "ReportOptions", "ReportResult", "build_report", "report_model"]

"""HTML progress reports from the warehouse (docs/report.md).

`build_report(warehouse_dir, out, ReportOptions(...))` writes one
self-contained page: indicator charts (Vega-Lite), targets against outcomes,
term rises and falls between two documents or periods, new sections.
queries.py asks the warehouse, charts.py and compare.py are pure, html.py renders.
"""

from report.build import ReportResult, build_report, report_model
from report.options import ReportOptions
from report.queries import ReportError

__all__ = ["ReportError", "ReportOptions", "ReportResult", "build_report", "report_model"]

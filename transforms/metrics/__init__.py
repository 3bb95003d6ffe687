"""Progress figures: `extract_metrics(doc)` turns a Document's text into Metric records.

Modules: numbers (Arabic and Chinese numerals), units (units.yaml), bounds,
measure, indicator (indicators.yaml), kind, period, extract (ties them together).
Cue words live in transforms/data/figure_cues.yaml.
"""

from transforms.metrics.extract import extract_metrics, metric_id
from transforms.metrics.indicator import indicator_key, load_indicator_catalog

__all__ = ["extract_metrics", "metric_id", "indicator_key", "load_indicator_catalog"]

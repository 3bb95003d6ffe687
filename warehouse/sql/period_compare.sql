-- period_compare: each figure of metric_series beside the same series'
-- previous period of the same length: the latest period of that length that
-- ends before this one starts (a year beside the year before, a half beside
-- the half before, a five-year span beside the span before it, never an
-- overlapping one). Spans are matched by length in whole months, so a
-- five-year total is never compared with a single year. Series are kept apart
-- by issuer_key (metric_statements). year_over_year puts a part of a year
-- beside the same part a year earlier instead.
CREATE OR REPLACE VIEW period_compare AS
WITH series AS (
    SELECT *,
           date_diff('month', period_start, period_end + INTERVAL 1 DAY) AS span_months
    FROM metric_series
)
SELECT
    s.issuer, s.indicator_key, s.measure, s.kind, s.span_months,
    s.period_label, s.period_start, s.period_end, s.value, s.unit, s.doc_id,
    p.period_start AS previous_period_start,
    p.period_end AS previous_period_end,
    p.value AS previous_value,
    p.unit AS previous_unit,
    p.doc_id AS previous_doc_id,
    change_between(s.value, s.unit, s.value_base, s.base_unit, p.value, p.unit, p.value_base, p.base_unit)
        AS change,
    change_pct(s.measure, s.base_unit, s.value_base, p.base_unit, p.value_base) AS change_pct,
    s.region, s.region_code, s.region_level, s.issuer_key, s.span, s.year
FROM series s
ASOF LEFT JOIN series p
  ON p.issuer_key = s.issuer_key
 AND p.indicator_key = s.indicator_key
 AND p.measure = s.measure
 AND p.kind = s.kind
 AND p.span_months = s.span_months
 AND p.period_end < s.period_start;

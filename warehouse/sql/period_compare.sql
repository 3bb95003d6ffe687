-- period_compare: each figure of metric_series beside the same series'
-- previous period of the same length (a year beside the year before, a half
-- beside the half before, a five-year span beside the span before), with the
-- change. Spans are matched by length in whole months, so a five-year total
-- is never compared with a single year.
CREATE OR REPLACE VIEW period_compare AS
WITH series AS (
    SELECT *,
           date_diff('month', period_start, period_end + INTERVAL 1 DAY) AS span_months
    FROM metric_series
),
paired AS (
    SELECT *,
           lag(period_start) OVER w AS previous_period_start,
           lag(period_end) OVER w AS previous_period_end,
           lag(value) OVER w AS previous_value,
           lag(unit) OVER w AS previous_unit,
           lag(value_base) OVER w AS previous_value_base,
           lag(doc_id) OVER w AS previous_doc_id
    FROM series
    WINDOW w AS (PARTITION BY issuer, indicator_key, measure, kind, span_months ORDER BY period_start)
)
SELECT
    issuer, indicator_key, measure, kind, span_months,
    period_label, period_start, period_end, value, unit, doc_id,
    previous_period_start, previous_period_end, previous_value, previous_unit, previous_doc_id,
    CASE WHEN unit = previous_unit THEN value - previous_value
         ELSE value_base - previous_value_base END AS change,
    CASE WHEN previous_value_base IS NOT NULL AND previous_value_base <> 0
         THEN round(100.0 * (value_base - previous_value_base) / abs(previous_value_base), 2) END AS change_pct
FROM paired;

-- target_vs_actual: a target set for a period beside the actual (or, when no
-- actual was reported, the estimate) reported for the same issuer (issuer_key),
-- indicator, measure and period, with the issuer's region and the period's
-- span and year.
--
-- gap = actual minus the target's value (for a range, its midpoint).
-- met, by the target's bound:
--   ge: actual >= value      gt: actual > value
--   le: actual <= value      lt: actual < value
--   range: value_low <= actual <= value_high
--   eq, approx: NULL (a point or "about" target does not say which side counts)
-- A bound is on the figure as written, and a decline is written as its size:
-- 能耗下降3.9%以上 is value -3.9 with bound ge, "a decline of at least 3.9%",
-- so for a negative target ge/gt/le/lt compare magnitudes (-4.8 meets it).
-- Values are compared in the base unit when both sides have one, so 1361万人
-- meets a target of 1000万人 whichever way each was written; a pair with no
-- common unit (a target in 亿元, the actual in 亿美元) is shown with gap and met NULL.
-- (Columns are written with their table's name: figure_history's arguments
-- issuer, region_code and span would otherwise take their place.)
CREATE OR REPLACE VIEW target_vs_actual AS
WITH targets AS (
    SELECT * FROM metric_series WHERE kind = 'target'
),
outcomes AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY issuer_key, indicator_key, measure, period_start, period_end
               ORDER BY CASE kind WHEN 'actual' THEN 0 ELSE 1 END, doc_date DESC
           ) AS pick
    FROM metric_series
    WHERE kind IN ('actual', 'estimate')
),
joined AS (
    SELECT
        t.issuer,
        t.region, t.region_code, t.region_level, t.issuer_key, t.span, t.year,
        t.indicator_key,
        t.measure,
        t.period_start,
        t.period_end,
        t.value AS target_value,
        t.value_low AS target_low,
        t.value_high AS target_high,
        t.bound AS target_bound,
        t.unit AS target_unit,
        t.doc_id AS target_doc_id,
        a.value AS actual_value,
        a.unit AS actual_unit,
        a.kind AS actual_kind,
        a.doc_id AS actual_doc_id,
        -- in the target's unit, through the base unit when they differ; NULL when
        -- there is no common unit (亿元 against 亿美元: no gap, no verdict)
        CASE WHEN t.unit IS NOT DISTINCT FROM a.unit THEN a.value
             WHEN t.base_unit = a.base_unit
             THEN a.value_base / (t.value_base / coalesce(t.value, (t.value_low + t.value_high) / 2))
             END AS actual_in_target_unit
    FROM targets t
    JOIN outcomes a
      ON a.pick = 1
     AND a.issuer_key = t.issuer_key
     AND a.indicator_key = t.indicator_key
     AND a.measure = t.measure
     AND a.period_start = t.period_start
     AND a.period_end = t.period_end
)
SELECT
    j.issuer, j.indicator_key, j.measure, j.period_start, j.period_end,
    j.target_value, j.target_low, j.target_high, j.target_bound, j.target_unit, j.target_doc_id,
    j.actual_value, j.actual_unit, j.actual_kind, j.actual_doc_id,
    j.actual_in_target_unit - coalesce(j.target_value, (j.target_low + j.target_high) / 2) AS gap,
    CASE j.target_bound
        WHEN 'ge' THEN (CASE WHEN j.target_value < 0 THEN -j.actual_in_target_unit ELSE j.actual_in_target_unit END) >= abs(j.target_value)
        WHEN 'gt' THEN (CASE WHEN j.target_value < 0 THEN -j.actual_in_target_unit ELSE j.actual_in_target_unit END) > abs(j.target_value)
        WHEN 'le' THEN (CASE WHEN j.target_value < 0 THEN -j.actual_in_target_unit ELSE j.actual_in_target_unit END) <= abs(j.target_value)
        WHEN 'lt' THEN (CASE WHEN j.target_value < 0 THEN -j.actual_in_target_unit ELSE j.actual_in_target_unit END) < abs(j.target_value)
        WHEN 'range' THEN j.actual_in_target_unit BETWEEN j.target_low AND j.target_high
        ELSE NULL
    END AS met,
    j.region, j.region_code, j.region_level, j.issuer_key, j.span, j.year
FROM joined j;

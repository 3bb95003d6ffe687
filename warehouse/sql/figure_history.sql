-- figure_history(key, which): one row per issuer and period of the series
-- `key` (indicator_key) and `which` (measure) in metric_series, with the
-- target set for the period beside the actual (and estimate) reported for it,
-- and target_vs_actual's gap and met where both exist.
--   SELECT * FROM figure_history('gdp', 'growth');
CREATE OR REPLACE MACRO figure_history(key, which) AS TABLE
WITH s AS (
    SELECT * FROM metric_series WHERE indicator_key = key AND measure = which
),
periods AS (
    SELECT issuer, period_start, period_end,
           arg_min(period_label, CASE kind WHEN 'actual' THEN 0 WHEN 'estimate' THEN 1 ELSE 2 END) AS period_label,
           any_value(value) FILTER (WHERE kind = 'actual') AS actual_value,
           any_value(unit) FILTER (WHERE kind = 'actual') AS actual_unit,
           any_value(doc_id) FILTER (WHERE kind = 'actual') AS actual_doc_id,
           any_value(value) FILTER (WHERE kind = 'estimate') AS estimate_value,
           any_value(unit) FILTER (WHERE kind = 'estimate') AS estimate_unit,
           any_value(value) FILTER (WHERE kind = 'target') AS target_value,
           any_value(value_low) FILTER (WHERE kind = 'target') AS target_low,
           any_value(value_high) FILTER (WHERE kind = 'target') AS target_high,
           any_value(bound) FILTER (WHERE kind = 'target') AS target_bound,
           any_value(unit) FILTER (WHERE kind = 'target') AS target_unit,
           any_value(doc_id) FILTER (WHERE kind = 'target') AS target_doc_id,
           any_value(value) FILTER (WHERE kind = 'plan') AS plan_value
    FROM s
    GROUP BY issuer, period_start, period_end
)
SELECT
    p.issuer,
    p.period_label,
    p.period_start,
    p.period_end,
    p.actual_value, p.actual_unit,
    p.estimate_value, p.estimate_unit,
    p.target_value, p.target_low, p.target_high, p.target_bound, p.target_unit,
    p.plan_value,
    round(tva.gap, 4) AS gap,
    tva.met,
    p.actual_doc_id, p.target_doc_id
FROM periods p
LEFT JOIN target_vs_actual tva
  ON tva.issuer IS NOT DISTINCT FROM p.issuer
 AND tva.indicator_key = key AND tva.measure = which
 AND tva.period_start = p.period_start AND tva.period_end = p.period_end
ORDER BY p.issuer NULLS LAST, p.period_start, p.period_end;

-- figure_history(key, which, issuer := NULL, region_code := NULL, span := 'year'):
-- one row per issuer and period of the series `key` (indicator_key) and
-- `which` (measure) in metric_series, with the target set for the period
-- beside the actual (and estimate) reported for it, and target_vs_actual's
-- gap and met where both exist.
--   issuer       only this issuer (as documents.issuer writes it)
--   region_code  only issuers in this region: a province's code (610000)
--                takes in its cities and counties, a city's (610100) its
--                counties and districts, any other code itself
--   span         only periods of this span (metric_series.span); the default
--                'year' keeps five-year totals and part-year figures out;
--                NULL gives every span
--   SELECT * FROM figure_history('gdp', 'growth');
--   SELECT * FROM figure_history('gdp', 'growth', region_code := '410000', span := NULL);
-- (Inside the macro, a bare issuer, region_code or span is the argument; the
-- columns are always written with their table's name.)
CREATE OR REPLACE MACRO figure_history(key, which, issuer := NULL, region_code := NULL, span := 'year') AS TABLE
WITH s AS (
    SELECT ms.* FROM metric_series ms
    WHERE ms.indicator_key = key AND ms.measure = which
      AND (issuer IS NULL OR ms.issuer = issuer)
      AND (span IS NULL OR ms.span = span)
      AND (region_code IS NULL OR starts_with(ms.region_code,
           CASE WHEN region_code LIKE '%0000' THEN left(region_code, 2)
                WHEN region_code LIKE '%00' THEN left(region_code, 4)
                ELSE region_code END))
),
periods AS (
    SELECT s.issuer_key, s.period_start, s.period_end,
           any_value(s.issuer) AS issuer_name,
           any_value(s.region) AS region_name,
           any_value(s.region_code) AS code,
           any_value(s.region_level) AS level,
           any_value(s.span) AS period_span,
           any_value(s.year) AS period_year,
           arg_min(s.period_label, CASE s.kind WHEN 'actual' THEN 0 WHEN 'estimate' THEN 1 ELSE 2 END) AS period_label,
           any_value(s.value) FILTER (WHERE s.kind = 'actual') AS actual_value,
           any_value(s.unit) FILTER (WHERE s.kind = 'actual') AS actual_unit,
           any_value(s.doc_id) FILTER (WHERE s.kind = 'actual') AS actual_doc_id,
           any_value(s.value) FILTER (WHERE s.kind = 'estimate') AS estimate_value,
           any_value(s.unit) FILTER (WHERE s.kind = 'estimate') AS estimate_unit,
           any_value(s.value) FILTER (WHERE s.kind = 'target') AS target_value,
           any_value(s.value_low) FILTER (WHERE s.kind = 'target') AS target_low,
           any_value(s.value_high) FILTER (WHERE s.kind = 'target') AS target_high,
           any_value(s.bound) FILTER (WHERE s.kind = 'target') AS target_bound,
           any_value(s.unit) FILTER (WHERE s.kind = 'target') AS target_unit,
           any_value(s.doc_id) FILTER (WHERE s.kind = 'target') AS target_doc_id,
           any_value(s.value) FILTER (WHERE s.kind = 'plan') AS plan_value
    FROM s
    GROUP BY s.issuer_key, s.period_start, s.period_end
)
SELECT
    p.issuer_name AS issuer,
    p.period_label,
    p.period_start,
    p.period_end,
    p.actual_value, p.actual_unit,
    p.estimate_value, p.estimate_unit,
    p.target_value, p.target_low, p.target_high, p.target_bound, p.target_unit,
    p.plan_value,
    round(tva.gap, 4) AS gap,
    tva.met,
    p.actual_doc_id, p.target_doc_id,
    p.region_name AS region, p.code AS region_code, p.level AS region_level, p.issuer_key,
    p.period_span AS span, p.period_year AS year
FROM periods p
LEFT JOIN target_vs_actual tva
  ON tva.issuer_key = p.issuer_key
 AND tva.indicator_key = key AND tva.measure = which
 AND tva.period_start = p.period_start AND tva.period_end = p.period_end
ORDER BY p.issuer_name NULLS LAST, p.issuer_key, p.period_start, p.period_end;

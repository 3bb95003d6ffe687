-- year_over_year: each figure of metric_series beside the same issuer's
-- (issuer_key) figure for the same indicator, measure and kind over the same
-- span a year earlier: a year beside the year before, H1 beside last year's
-- H1, 1-8月 beside last year's 1-8月 (period_compare instead puts H1 beside
-- the H2 before it). prev_* are NULL when the corpus states no such figure.
-- Multi-year spans are left out (period_compare puts a five-year span beside
-- the one before), so annual figures and five-year totals never mix here.
--
-- change = value - prev_value in this figure's unit (converted through the
--   base unit when the two are written in different units; NULL when they
--   have no common base unit); for a growth rate, the change in points.
-- change_pct = the change in % of the previous value, for amounts only
--   (is_quantity): the % change of a growth rate or a share says little.
CREATE OR REPLACE VIEW year_over_year AS
WITH series AS (
    SELECT * FROM metric_series WHERE span <> 'multi_year'
),
final AS (
    SELECT
        s.issuer, s.region, s.region_code, s.region_level, s.issuer_key,
        s.indicator_key, s.measure, s.kind, s.span, s.year,
        s.period_label, s.period_start, s.period_end, s.value, s.unit, s.doc_id,
        p.period_start AS prev_period_start,
        p.period_end AS prev_period_end,
        p.value AS prev_value,
        p.unit AS prev_unit,
        p.doc_id AS prev_doc_id,
        change_between(s.value, s.unit, s.value_base, s.base_unit, p.value, p.unit, p.value_base, p.base_unit)
            AS change,
        change_pct(s.measure, s.base_unit, s.value_base, p.base_unit, p.value_base) AS change_pct
    FROM series s
    LEFT JOIN series p
      ON p.issuer_key = s.issuer_key
     AND p.indicator_key = s.indicator_key
     AND p.measure = s.measure
     AND p.kind = s.kind
     AND p.period_start = s.period_start - INTERVAL 1 YEAR
     AND p.period_end = s.period_end - INTERVAL 1 YEAR
)
SELECT * FROM final
ORDER BY issuer_key, indicator_key, measure, kind, period_start, period_end;

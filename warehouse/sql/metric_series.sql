-- metric_series: one row per (issuer_key, indicator_key, measure, kind, period)
-- of metric_statements. When several documents state the same figure, the
-- latest document wins (doc_date, then the later ingest); within one document,
-- the first statement wins. Every statement, the others too, is in
-- metric_statements; where they differ, in revisions. issuer_key is the issuer
-- for every document that names one.
-- (Columns are written with their table's name: figure_history's arguments
-- issuer, region_code and span would otherwise take their place.)
CREATE OR REPLACE VIEW metric_series AS
WITH ranked AS (
    SELECT *,
           row_number() OVER (
               PARTITION BY issuer_key, indicator_key, measure, kind, period_start, period_end
               ORDER BY doc_date DESC NULLS LAST, ingested_at DESC, char_start
           ) AS pick
    FROM metric_statements
)
SELECT
    r.issuer, r.indicator_key, r.measure, r.kind, r.period_start, r.period_end, r.period_label,
    r.value, r.value_low, r.value_high, r.bound, r.unit, r.value_base, r.base_unit,
    r.indicator, r.mention, r.sentence, r.metric_id, r.doc_id, r.doc_title, r.doc_date,
    r.region, r.region_code, r.region_level, r.issuer_key, r.span, r.year
FROM ranked r
WHERE r.pick = 1;

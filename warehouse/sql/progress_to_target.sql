-- progress_to_target: each part-year figure counted from 1 January (Q1, H1,
-- 1-N月, 前三季度, 截至10月19日) beside the same issuer's target for the
-- whole of that year. One row per part-year actual or estimate with such a
-- target, found one of two ways (paired_by):
--   series        metric_series: same issuer_key, indicator_key, measure and
--                 year (a target, else a plan: 下达开工任务8000套)
--   stated_share  a figure without a catalog indicator whose text states its
--                 share of the year's plan (stated_shares) beside a whole-year
--                 target or plan of its document, in its unit, that this
--                 share of it gives to within 2% (1-6月累计完成投资362.32亿元,
--                 占年计划投资的64.49% beside 年度计划投资561.86亿元)
--
-- share_of_target = actual / target (a range's midpoint), both in the base
--   unit, for amounts that add up over the year (is_quantity); NULL otherwise
--   (a growth rate at mid-year is not half of the year's growth).
-- share_of_year = the share of the year elapsed at period_end (H1: 181/365).
-- stated_share = the completion share the text states for the figure
--   (stated_shares), else NULL. It may stand beside a repetition of the
--   figure rather than the statement metric_series keeps (开工8363套 …
--   共8363套,占任务的104.3%), so it is matched by document, period and value.
-- gap = actual minus target in the target's unit, when both have one unit
--   or base unit: for a growth rate, the points above (below) the target.
CREATE OR REPLACE VIEW progress_to_target AS
WITH part_year AS (
    SELECT * FROM metric_series
    WHERE kind IN ('actual', 'estimate')
      AND period_start = make_date(year, 1, 1) AND period_end < make_date(year, 12, 31)
),
targets AS (
    SELECT *,
           row_number() OVER (PARTITION BY issuer_key, indicator_key, measure, year
                              ORDER BY CASE kind WHEN 'target' THEN 0 ELSE 1 END, doc_date DESC) AS pick
    FROM metric_series
    WHERE kind IN ('target', 'plan') AND span = 'year'
),
shares AS (
    SELECT doc_id, period_start, period_end, value_base, max(share) AS share
    FROM stated_shares
    GROUP BY ALL
),
by_series AS (
    SELECT a.metric_id AS actual_metric_id, t.metric_id AS target_metric_id, s.share AS stated_share,
           'series' AS paired_by, a.doc_id, a.period_start, a.period_end, a.value_base
    FROM part_year a
    JOIN targets t
      ON t.pick = 1 AND t.issuer_key = a.issuer_key AND t.indicator_key = a.indicator_key
     AND t.measure = a.measure AND t.year = a.year
    LEFT JOIN shares s
      ON s.doc_id = a.doc_id AND s.period_start = a.period_start AND s.period_end = a.period_end
     AND s.value_base = a.value_base
),
document_targets AS (
    SELECT m.*, CAST(year(m.period_end) AS INTEGER) AS year
    FROM metrics m
    WHERE m.kind IN ('target', 'plan') AND m.measure = 'level' AND NOT m.masked
      AND span_of(m.period_start, m.period_end) = 'year' AND m.value_base > 0
),
by_stated_share AS (
    SELECT a.metric_id AS actual_metric_id, t.metric_id AS target_metric_id, a.share AS stated_share,
           'stated_share' AS paired_by,
           row_number() OVER (PARTITION BY a.share_metric_id
                              ORDER BY abs(a.value_base / t.value_base / a.share - 1)) AS closest
    FROM stated_shares a
    JOIN document_targets t
      ON t.doc_id = a.doc_id AND t.year = a.year AND t.base_unit = a.base_unit
     AND abs(a.value_base / t.value_base / a.share - 1) <= 0.02
    WHERE a.indicator_key IS NULL AND a.kind IN ('actual', 'estimate') AND a.share > 0
      AND a.period_start = make_date(a.year, 1, 1) AND a.period_end < make_date(a.year, 12, 31)
      -- a repetition of a figure already paired as a series (开工8363套 … 共8363套,占任务的104.3%)
      AND NOT EXISTS (SELECT 1 FROM by_series b
                      WHERE b.doc_id = a.doc_id AND b.period_start = a.period_start
                        AND b.period_end = a.period_end AND b.value_base = a.value_base)
),
pairs AS (
    SELECT actual_metric_id, target_metric_id, stated_share, paired_by FROM by_series
    UNION ALL
    SELECT actual_metric_id, target_metric_id, stated_share, paired_by FROM by_stated_share WHERE closest = 1
),
-- the two ways' figures, each once by metric_id, for one select list below
actuals AS (
    SELECT DISTINCT ON (metric_id) *
    FROM (SELECT * FROM part_year UNION ALL BY NAME SELECT * FROM stated_shares)
),
target_figures AS (
    SELECT DISTINCT ON (metric_id) *
    FROM (SELECT * FROM targets UNION ALL BY NAME SELECT * FROM document_targets)
),
paired AS (
    SELECT
        a.issuer, a.region, a.region_code, a.region_level, a.issuer_key, a.indicator_key, a.indicator,
        a.measure, a.year, a.span, a.period_label, a.period_start, a.period_end,
        a.value, a.kind, a.unit, a.value_base, a.base_unit, a.doc_id, a.metric_id,
        t.value AS target_value, t.value_low AS target_low, t.value_high AS target_high,
        t.bound AS target_bound, t.unit AS target_unit, t.base_unit AS target_base_unit,
        t.value_base AS target_base, t.kind AS target_kind, t.indicator AS target_indicator,
        t.doc_id AS target_doc_id, t.metric_id AS target_metric_id,
        p.stated_share, p.paired_by
    FROM pairs p
    JOIN actuals a ON a.metric_id = p.actual_metric_id
    JOIN target_figures t ON t.metric_id = p.target_metric_id
),
final AS (
    SELECT
        issuer, region, region_code, region_level, issuer_key, indicator_key, indicator, measure, year, span,
        period_label, period_start, period_end,
        value AS actual_value, kind AS actual_kind, unit, doc_id AS actual_doc_id,
        target_value, target_low, target_high, target_bound, target_unit, target_kind, target_indicator,
        target_doc_id,
        CASE WHEN is_quantity(measure, base_unit) AND base_unit = target_base_unit AND target_base <> 0
             THEN round(value_base / target_base, 4) END AS share_of_target,
        round((period_end - make_date(year, 1, 1) + 1)
              / (make_date(year, 12, 31) - make_date(year, 1, 1) + 1), 4) AS share_of_year,
        stated_share,
        CASE WHEN is_quantity(measure, base_unit) AND base_unit = target_base_unit AND target_base <> 0
             THEN round(stated_share - value_base / target_base, 4) END AS stated_minus_computed,
        CASE WHEN unit = target_unit THEN round(value - coalesce(target_value, (target_low + target_high) / 2), 4)
             WHEN base_unit = target_base_unit AND target_base <> 0
             THEN round((value_base - target_base) / target_base
                        * coalesce(target_value, (target_low + target_high) / 2), 4) END AS gap,
        paired_by, metric_id AS actual_metric_id, target_metric_id
    FROM paired
)
SELECT * FROM final
ORDER BY issuer_key, indicator_key NULLS LAST, indicator, measure, year, period_end, actual_kind, actual_doc_id, actual_value DESC;

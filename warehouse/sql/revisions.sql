-- revisions: every figure stated more than once: the same issuer_key,
-- indicator, measure and period stated by several documents (an estimate in
-- January, the final figure a year later; an H1 figure restated at year end),
-- each statement in date order with its document, kind and value and the
-- change from the statement before. Outcomes (actual and estimate) form one
-- series, targets another, plans a third (series_kind), so a target is never
-- read as a revision of an outcome. A document counts once per kind: its first
-- statement (as metric_series takes it).
--
-- statement_no  1.. in order of stated_on (doc_date), an estimate before an
--               actual of the same date, then the order of ingest
-- values_differ whether the statements of this series and period disagree
--               (in the base unit when they have one): the figures an analyst
--               would check; where they agree, the figure was only repeated
-- change_from_prev = value - prev_value in this statement's unit (7.4万亿元
--               after 74772亿元: -0.0772); NULL when the two have no common
--               base unit
CREATE OR REPLACE VIEW revisions AS
WITH statements AS (
    SELECT *,
           CASE WHEN kind IN ('actual', 'estimate') THEN 'outcome' ELSE kind END AS series_kind,
           coalesce(value_base, value, (value_low + value_high) / 2) AS comparable,
           row_number() OVER (PARTITION BY issuer_key, indicator_key, measure, kind, period_start, period_end, doc_id
                              ORDER BY char_start) AS in_document
    FROM metric_statements
),
firsts AS (
    SELECT * FROM statements WHERE in_document = 1
),
numbered AS (
    SELECT *,
           count(*) OVER series AS statements,
           count(DISTINCT comparable) OVER series AS distinct_values,
           row_number() OVER by_date AS statement_no,
           lag(value) OVER by_date AS prev_value,
           lag(unit) OVER by_date AS prev_unit,
           lag(value_base) OVER by_date AS prev_value_base,
           lag(base_unit) OVER by_date AS prev_base_unit
    FROM firsts
    WINDOW series AS (PARTITION BY issuer_key, indicator_key, measure, series_kind, period_start, period_end),
           by_date AS (PARTITION BY issuer_key, indicator_key, measure, series_kind, period_start, period_end
                       ORDER BY doc_date NULLS LAST, CASE kind WHEN 'estimate' THEN 0 ELSE 1 END,
                                ingested_at, doc_id)
),
final AS (
    SELECT
        issuer, region, region_code, region_level, issuer_key, indicator_key, measure, series_kind, span, year,
        period_label, period_start, period_end,
        CAST(statement_no AS INTEGER) AS statement_no, doc_date AS stated_on, doc_id, doc_title,
        kind, value, value_low, value_high, unit, prev_value,
        change_between(value, unit, value_base, base_unit, prev_value, prev_unit, prev_value_base, prev_base_unit)
            AS change_from_prev,
        distinct_values > 1 AS values_differ,
        mention, sentence, metric_id
    FROM numbered
    WHERE statements > 1
)
SELECT * FROM final
ORDER BY issuer_key, indicator_key, measure, series_kind, period_start, period_end, statement_no;

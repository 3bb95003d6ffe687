-- metric_series: one row per (issuer, indicator_key, measure, kind, period).
-- When several documents state the same figure, the latest document wins
-- (delivered_on, else published_at, else year, then the later ingest); within
-- one document, the first statement wins. Masked figures and figures without
-- a catalog indicator or a period are left out.
CREATE OR REPLACE VIEW metric_series AS
WITH ranked AS (
    SELECT
        d.issuer,
        m.indicator_key,
        m.measure,
        m.kind,
        m.period_start,
        m.period_end,
        m.period_label,
        m.value,
        m.value_low,
        m.value_high,
        m.bound,
        m.unit,
        m.value_base,
        m.base_unit,
        m.indicator,
        m.mention,
        m.sentence,
        m.metric_id,
        m.doc_id,
        d.title AS doc_title,
        coalesce(d.delivered_on, CAST(d.published_at AS DATE), make_date(d.year, 3, 5)) AS doc_date,
        row_number() OVER (
            PARTITION BY d.issuer, m.indicator_key, m.measure, m.kind, m.period_start, m.period_end
            ORDER BY coalesce(d.delivered_on, CAST(d.published_at AS DATE), make_date(d.year, 3, 5)) DESC NULLS LAST,
                     d.ingested_at DESC, m.char_start
        ) AS pick
    FROM metrics m
    JOIN documents d USING (doc_id)
    WHERE NOT m.masked
      AND m.indicator_key IS NOT NULL
      AND m.period_start IS NOT NULL
      AND (m.value IS NOT NULL OR m.value_low IS NOT NULL)
)
SELECT * EXCLUDE (pick) FROM ranked WHERE pick = 1;

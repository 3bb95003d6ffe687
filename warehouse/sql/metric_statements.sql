-- metric_statements: every statement of a figure that metric_series picks
-- from: one row per figure with a catalog indicator and a period (masked
-- figures left out), with its document's issuer, region and date, and the
-- span of its period.
--   issuer_key  whose figure it is: the issuer, else the region, else the
--               document (issuer_key.sql)
--   doc_date    delivered_on, else published_at, else 5 March of the document's year
--   span        year, half, quarter, months, month, multi_year, other (span_of.sql)
--   year        the year of period_end
CREATE OR REPLACE VIEW metric_statements AS
WITH final AS (
    SELECT
        d.issuer, m.indicator_key, m.measure, m.kind, m.period_start, m.period_end, m.period_label,
        m.value, m.value_low, m.value_high, m.bound, m.unit, m.value_base, m.base_unit,
        m.indicator, m.mention, m.sentence, m.metric_id, m.doc_id,
        d.title AS doc_title,
        coalesce(d.delivered_on, CAST(d.published_at AS DATE), make_date(d.year, 3, 5)) AS doc_date,
        d.region, d.region_code, d.region_level,
        issuer_key(d.issuer, d.region, d.doc_id) AS issuer_key,
        span_of(m.period_start, m.period_end) AS span,
        CAST(year(m.period_end) AS INTEGER) AS year,
        m.char_start, m.char_end, d.ingested_at
    FROM metrics m
    JOIN documents d USING (doc_id)
    WHERE NOT m.masked
      AND m.indicator_key IS NOT NULL
      AND m.period_start IS NOT NULL
      AND (m.value IS NOT NULL OR m.value_low IS NOT NULL)
)
SELECT * FROM final;

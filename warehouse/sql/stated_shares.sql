-- stated_shares: each completion share a text states for an amount right
-- before it (完成投资454.31亿元,占年度计划的75%; 开工8363套,占任务的104.3%;
-- 完成投资90.5亿元,比上年同期增长16%,完成年度投资计划的69%; 完成年度任务
-- (300万平方米)的40%), one row per share, with the amount it is a share of,
-- keyed or not. The extractor reads such a share as a figure of its own
-- (unit %, indicator 占/完): it belongs to the nearest level figure before it
-- in its document when the words between them are only 占/完成/达到/为 …
-- 计划/任务/目标 … 的 (with the task in brackets, or one growth clause before
-- them), or … 目标完成率/进度.
-- share is the stated percentage as a fraction (75% -> 0.75).
CREATE OR REPLACE VIEW stated_shares AS
WITH shares AS (
    SELECT m.doc_id, m.metric_id, m.char_start, m.mention, m.value
    FROM metrics m
    WHERE m.unit = '%' AND m.value IS NOT NULL AND NOT m.masked
),
paired AS (
    SELECT
        s.metric_id AS share_metric_id, s.mention AS share_mention, s.value AS share_value,
        f.*,
        substr(d.text, f.char_end + 1, s.char_start - f.char_end) AS wording
    FROM shares s
    JOIN metrics f ON f.doc_id = s.doc_id AND f.char_end <= s.char_start AND f.char_end >= s.char_start - 50
                  AND f.measure = 'level' AND NOT f.masked
    JOIN documents d ON d.doc_id = s.doc_id
),
worded AS (
    -- the nearest figure before the share with only completion words between
    SELECT *, row_number() OVER (PARTITION BY share_metric_id ORDER BY char_end DESC) AS nearest
    FROM paired
    WHERE regexp_full_match(wording, '(,[^,。;；]{0,16}%)?[,、]?(占|完成|达到|为)[^,。;；]{0,12}(计划|任务|目标)[^,。;；()]{0,4}(\([^()]{0,24}\))?[^,。;；]{0,3}')
       OR regexp_full_match(wording, '[,、]?[^,。;；]{0,10}(计划|任务|目标)的?(完成率|完成进度|进度)(为|达到|达)?')
),
final AS (
    SELECT
        d.issuer, d.region, d.region_code, d.region_level,
        issuer_key(d.issuer, d.region, d.doc_id) AS issuer_key,
        p.doc_id, d.title AS doc_title,
        p.indicator, p.indicator_key, p.measure, p.kind, p.period_label, p.period_start, p.period_end,
        span_of(p.period_start, p.period_end) AS span, CAST(year(p.period_end) AS INTEGER) AS year,
        p.value, p.unit, p.value_base, p.base_unit, p.mention, p.metric_id,
        round(p.share_value / 100, 6) AS share,
        p.share_mention, p.wording, p.share_metric_id, p.sentence, p.char_start
    FROM worded p
    JOIN documents d USING (doc_id)
    WHERE p.nearest = 1
)
SELECT * EXCLUDE (char_start) FROM final
ORDER BY issuer_key, doc_id, char_start;

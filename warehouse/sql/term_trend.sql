-- term_trend(word): how often jieba found `word` (the terms table: tokens
-- without stopwords, punctuation and bare numbers), by issuer and year, and
-- its rate per 10 000 such tokens. Every (issuer, year) with documents is a
-- row, so years without the word show count 0.
--   SELECT * FROM term_trend('拆墙透绿');
CREATE OR REPLACE MACRO term_trend(word) AS TABLE
WITH docs AS (
    SELECT d.issuer, d.year, t.doc_id,
           sum(t.count) AS tokens,
           coalesce(sum(t.count) FILTER (WHERE t.term = word), 0) AS hits
    FROM terms t
    JOIN documents d USING (doc_id)
    GROUP BY ALL
)
SELECT
    issuer,
    year,
    count(*) AS documents,
    CAST(sum(hits) AS BIGINT) AS count,
    CAST(sum(tokens) AS BIGINT) AS tokens,
    round(10000.0 * sum(hits) / sum(tokens), 3) AS per_10k
FROM docs
GROUP BY issuer, year
ORDER BY issuer NULLS LAST, year NULLS LAST;

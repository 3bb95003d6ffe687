-- term_shift(from_a, to_a, from_b, to_b): how the vocabulary moved between two
-- eras of documents.year (from_a..to_a and from_b..to_b, both ends included).
-- One row per term found in either era: its count and its rate per 10 000
-- tokens (the terms table: jieba tokens without stopwords, punctuation and
-- bare numbers) in each era, and the change in rate (B minus A). Sorted by
-- change, the terms that gained most first.
--   SELECT * FROM term_shift(1978, 1990, 2003, 2015) LIMIT 20;
--   SELECT * FROM term_shift(1978, 1990, 2003, 2015) ORDER BY change LIMIT 20;  -- those that lost most
CREATE OR REPLACE MACRO term_shift(from_a, to_a, from_b, to_b) AS TABLE
WITH tokens AS (
    SELECT t.term, t.count,
           d.year BETWEEN from_a AND to_a AS in_a,
           d.year BETWEEN from_b AND to_b AS in_b
    FROM terms t
    JOIN documents d USING (doc_id)
    WHERE d.year BETWEEN from_a AND to_a OR d.year BETWEEN from_b AND to_b
),
eras AS (
    SELECT sum(count) FILTER (WHERE in_a) AS tokens_a, sum(count) FILTER (WHERE in_b) AS tokens_b
    FROM tokens
),
counts AS (
    SELECT term,
           coalesce(sum(count) FILTER (WHERE in_a), 0) AS count_a,
           coalesce(sum(count) FILTER (WHERE in_b), 0) AS count_b
    FROM tokens
    GROUP BY term
),
final AS (
    SELECT
        c.term,
        CAST(c.count_a AS BIGINT) AS count_a,
        round(10000.0 * c.count_a / e.tokens_a, 3) AS per_10k_a,
        CAST(c.count_b AS BIGINT) AS count_b,
        round(10000.0 * c.count_b / e.tokens_b, 3) AS per_10k_b,
        round(10000.0 * c.count_b / e.tokens_b - 10000.0 * c.count_a / e.tokens_a, 3) AS change,
        CAST(e.tokens_a AS BIGINT) AS tokens_a,
        CAST(e.tokens_b AS BIGINT) AS tokens_b
    FROM counts c, eras e
)
SELECT * FROM final
ORDER BY change DESC, term;

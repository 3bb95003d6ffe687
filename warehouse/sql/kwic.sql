-- kwic(keyword, width): keyword in context. One row per occurrence of
-- `keyword` in documents.text (non-overlapping, left to right, as Python's
-- str.count counts them), with `width` characters either side and the leaf
-- section the occurrence starts in. char_start is the 0-based offset in the
-- cleaned text (documents.text[char_start:char_start + length(keyword)]).
-- The issuer's region, region_code and region_level close each row.
--   SELECT * FROM kwic('综合国力', 20);
CREATE OR REPLACE MACRO kwic(keyword, width) AS TABLE
WITH pieces AS (
    SELECT d.doc_id, d.title, d.issuer, d.year, d.text, d.region, d.region_code, d.region_level,
           unnest(string_split(d.text, keyword)) AS piece,
           generate_subscripts(string_split(d.text, keyword), 1) AS i,
           len(string_split(d.text, keyword)) AS n
    FROM documents d
    WHERE length(keyword) > 0 AND contains(d.text, keyword)
),
hits AS (
    SELECT doc_id, title, issuer, year, text, region, region_code, region_level, i, n,
           -- characters before the i-th occurrence: pieces 1..i plus i-1 keywords
           CAST(sum(length(piece)) OVER (PARTITION BY doc_id ORDER BY i) + (i - 1) * length(keyword) AS BIGINT) AS char_start
    FROM pieces
),
leaves AS (
    SELECT s.* FROM sections s
    WHERE NOT EXISTS (SELECT 1 FROM sections c WHERE c.doc_id = s.doc_id AND c.parent_id = s.section_id)
)
SELECT
    h.doc_id,
    h.title,
    h.issuer,
    h.year,
    l.path AS section_path,
    l.heading AS section_heading,
    CAST(h.char_start AS INTEGER) AS char_start,
    substr(h.text, greatest(h.char_start - width + 1, 1), least(width, h.char_start)) AS left_context,
    keyword AS term,
    substr(h.text, h.char_start + length(keyword) + 1, width) AS right_context,
    h.region, h.region_code, h.region_level
FROM hits h
LEFT JOIN leaves l
  ON l.doc_id = h.doc_id AND h.char_start >= l.char_start AND h.char_start < l.char_end
WHERE h.i < h.n
ORDER BY h.year NULLS LAST, h.doc_id, h.char_start;

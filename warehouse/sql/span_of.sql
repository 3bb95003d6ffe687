-- span_of(first_day, last_day): what kind of period a figure covers, from its
-- period_start and period_end:
--   year        1 January to 31 December of one year
--   half        January-June or July-December
--   quarter     one calendar quarter (Q1 is also 1-3月)
--   months      1 January to the end of a later month (1-8月, 前三季度, 1-11月)
--   month       one calendar month
--   multi_year  more than a year (十一五期间, 过去五年)
--   other       anything else (a week, 截至10月19日, a year from July)
--   SELECT span_of(DATE '2023-01-01', DATE '2023-08-31');  -- months
CREATE OR REPLACE MACRO span_of(first_day, last_day) AS
    CASE WHEN last_day - first_day > 366 THEN 'multi_year'
         -- below, whole calendar months only
         WHEN day(first_day) <> 1 OR day(last_day + 1) <> 1 THEN 'other'
         WHEN date_diff('month', first_day, last_day + 1) = 12 AND month(first_day) = 1 THEN 'year'
         WHEN date_diff('month', first_day, last_day + 1) = 6 AND month(first_day) IN (1, 7) THEN 'half'
         WHEN date_diff('month', first_day, last_day + 1) = 3 AND month(first_day) IN (1, 4, 7, 10) THEN 'quarter'
         WHEN date_diff('month', first_day, last_day + 1) = 1 THEN 'month'
         WHEN date_diff('month', first_day, last_day + 1) BETWEEN 2 AND 11 AND month(first_day) = 1 THEN 'months'
         ELSE 'other' END;

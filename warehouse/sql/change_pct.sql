-- change_pct(measure, base_unit, value_base, prev_base_unit, prev_value_base):
-- the change from the earlier figure in % of it, for amounts that add up
-- (is_quantity) with a common base unit; NULL otherwise (a growth rate's
-- change is told in points by change_between, not in %).
--   SELECT change_pct('level', '人', 13100000, '人', 12660000);  -- 3.48
CREATE OR REPLACE MACRO change_pct(measure, base_unit, value_base, prev_base_unit, prev_value_base) AS
    CASE WHEN is_quantity(measure, base_unit) AND base_unit = prev_base_unit AND prev_value_base <> 0
         THEN round(100.0 * (value_base - prev_value_base) / abs(prev_value_base), 2) END;

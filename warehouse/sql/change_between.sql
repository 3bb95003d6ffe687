-- change_between(value, unit, value_base, base_unit, prev_value, prev_unit,
-- prev_value_base, prev_base_unit): value minus the earlier value, in this
-- figure's unit: as written when both have one unit, through the base unit
-- when the units differ (1.15万亿美元 after 8512亿美元: 0.2988), NULL when they
-- have no common base unit (万吨 beside 亿斤, 亿元 beside %: no change to tell).
--   SELECT change_between(1310, '万人', 13100000, '人', 1266, '万人', 12660000, '人');  -- 44.0
CREATE OR REPLACE MACRO change_between(value, unit, value_base, base_unit,
                                       prev_value, prev_unit, prev_value_base, prev_base_unit) AS
    CASE WHEN unit = prev_unit THEN round(value - prev_value, 6)
         WHEN base_unit = prev_base_unit AND value_base <> 0
         THEN round((value_base - prev_value_base) * value / value_base, 6) END;

-- is_quantity(measure, base_unit): whether a figure is an amount that adds up
-- over the year (investment, jobs, cases, 套): a level in a unit that is no
-- rate, score or concentration. Only for these is a part-year figure a share
-- of its annual target, and a change in % between two figures meaningful.
--   SELECT is_quantity('level', '元');   -- true
--   SELECT is_quantity('growth', '%');   -- false
CREATE OR REPLACE MACRO is_quantity(measure, base_unit) AS
    measure = 'level'
    AND base_unit IS NOT NULL
    AND base_unit NOT IN ('%', '个百分点', '倍', '番', '分', '岁')
    AND NOT contains(base_unit, '/');

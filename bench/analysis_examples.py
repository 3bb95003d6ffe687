"""Write docs/analysis.md: analyst questions answered through the Python entry
point (speech_etl.connect), each with the real pandas output of its query.

    .venv/bin/speech-etl ingest ../shared/corpus --warehouse data
    .venv/bin/python bench/analysis_examples.py data > docs/analysis.md

The page's prose is here beside its queries, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import speech_etl  # noqa: E402


@dataclass
class Example:
    title: str
    before: str
    queries: list[str]
    after: str = ""


EXAMPLES = [
    Example(
        "How far toward this year's target at mid-year?",
        """`progress_to_target` puts each part-year figure counted from 1 January (Q1, H1, 1-N月,
前三季度, 截至…) beside the same issuer's target for the whole year. `share_of_target` is the share
of the target reached, `share_of_year` the share of the year gone by at the figure's last day, and
`stated_share` the share the text itself gives (`占年计划投资的64.49%`), so a figure ahead of the
calendar shows `share_of_target > share_of_year`. H1 for every local issuer that states both (a text
whose issuer is unknown is its own series, `document <doc_id>`; `paired_by` says whether the two
were matched as one catalog series or by the share the text states):""",
        ["""SELECT issuer_key, region_level, indicator, period_label, actual_value, target_value, unit,
       share_of_target, share_of_year, stated_share, paired_by
FROM progress_to_target
WHERE span = 'half' AND region_level IS DISTINCT FROM 'national'
ORDER BY issuer_key, target_value DESC"""],
        """The four rows of one text are a county's key projects (`2023年县级重点项目 … 年度计划投资561.86亿元,
1-6月累计完成投资362.32亿元,占年计划投资的64.49%`, then its 在建, 新开工 and 预备 projects); the
last is 城厢区 (`上半年 … 完成投资约90.5亿元,占年度计划约67.8%`, `年计划投资约133亿元`). Every part of the
year counts, not only H1: drop the `span` filter to see 1-8月 and 截至10月19日 too.""",
    ),
    Example(
        "Each State Council annual figure beside the year before",
        """`year_over_year` pairs a figure with the same issuer's figure for the same indicator, measure
and kind over the same span a year earlier (H1 with last year's H1, 1-8月 with 1-8月; a year with
the year before). Multi-year spans are not in it, so a five-year total (城镇新增就业5771万人, 十一五)
never sits beside a year. `change_pct` is given for amounts only; for a growth rate `change` is
the change in points. Some indicators since 2011:""",
        ["""SELECT indicator_key, measure, year, value, unit, prev_value, change, change_pct
FROM year_over_year
WHERE issuer = '国务院' AND span = 'year' AND kind = 'actual' AND year >= 2011
  AND indicator_key IN ('gdp', 'urban_new_jobs', 'cpi', 'general_budget_revenue')
ORDER BY indicator_key, measure, year""",
         """SELECT span, kind, count(*) AS figures, count(prev_value) AS with_previous_year
FROM year_over_year WHERE issuer = '国务院' GROUP BY ALL ORDER BY ALL"""],
        """Each row holds the latest statement of its figure (`metric_series`); where reports state a
figure differently, question 3 lists every statement. National half-year and monthly figures are
rows too, each beside the same part of the year before when one is stated.""",
    ),
    Example(
        "Every figure stated twice with different values",
        """`revisions` lists every issuer, indicator, measure and period stated more than once (in several
documents, or as an estimate and then the actual), each statement in date order with the change
from the one before; `values_differ` keeps those that disagree. Outcomes (actual, estimate),
targets and plans are separate series (`series_kind`), so a target is never a revision of an outcome.""",
        ["""SELECT indicator_key, measure, series_kind, period_label, statement_no, stated_on, kind, value, unit,
       change_from_prev
FROM revisions
WHERE values_differ
ORDER BY indicator_key, measure, period_start, statement_no"""],
        """Read each against its sentence (`SELECT sentence FROM revisions WHERE …`). Real revisions: GDP
2007 (24.66万亿元 in the 2008 report, 26.6万亿元 in the 2013 one), GDP 1997 (74772亿元,
later rounded to 7.4万亿元), trade 1992 and 1997 by one 亿美元, fiscal revenue 2005 and 2007, and the
1985 grain target (八千亿斤 in 1978, 三亿六千万吨 in 1982). Others show where the extractor misread a
figure: 1978's 37.2% is fiscal revenue's share of national income (财政收入占国民收入的比重), 1982's
64.8% is retail sales growth over 1978-1982, and the 十一五 7.5% of 2006 is a target read as an estimate.
That is what this view is for: the figures to check first.""",
    ),
    Example(
        "Urban new jobs 2005-2014",
        """`figure_history(key, measure, issuer := …, region_code := …, span := 'year')` gives one row per
period with the actual, estimate, target and plan side by side and whether the target was met. Its
span is a year unless asked otherwise, so no filter on the period's length is needed:""",
        ["""SELECT year, period_label, actual_value, actual_unit, target_value, target_bound, gap, met
FROM figure_history('urban_new_jobs', 'level', issuer := '国务院')
WHERE year BETWEEN 2005 AND 2014""",
         """SELECT period_label, period_start, period_end, actual_value, span
FROM figure_history('urban_new_jobs', 'level', issuer := '国务院', span := 'multi_year')"""],
        """2007 has a target but no actual: the reports state 2007's new jobs only within 2003-2007. The
five-year totals are there when asked for (`span := 'multi_year'`, or `span := NULL` for every span).
`met` is empty where the target is a point (`eq`) or "about" (`approx`): read `gap`.""",
    ),
    Example(
        "Which words rose and fell between two eras?",
        """`term_shift(from_a, to_a, from_b, to_b)` compares the rate of every term per 10 000 tokens in
two eras of document years (both ends included), sorted by the change, biggest gain first:""",
        ["""SELECT term, count_a, per_10k_a, count_b, per_10k_b, change
FROM term_shift(1978, 1990, 2003, 2015)
LIMIT 10""",
         """SELECT term, count_a, per_10k_a, count_b, per_10k_b, change
FROM term_shift(1978, 1990, 2003, 2015)
ORDER BY change
LIMIT 10"""],
    ),
    Example(
        "The cities of one province side by side",
        """Every view carries the issuer's `region`, `region_code` (6-digit division code) and
`region_level`, so the cities of a province are one prefix away (河南 is 41xxxx). `span` and the
period say whether two figures can be compared at all:""",
        ["""SELECT region, region_level, indicator_key, span, period_label, value, unit
FROM metric_series
WHERE starts_with(region_code, '41') AND indicator_key IN ('case_closure_rate', 'on_time_closure_rate')
ORDER BY indicator_key, region"""],
        """郑州's rates are for one week (`other`: 4月8日至4月14日), 许昌's for a month: not one period, so
not a ranking. With the same period for each city, `figure_history(key, measure, region_code :=
'410000', span := NULL)` lists every city of the province in one call.""",
    ),
]

HEADER = """# Analysing the warehouse from Python

`speech_etl.connect` opens a warehouse read-only with its tables, views and macros
(docs/schema.md); `con.sql(…).df()` gives a pandas DataFrame, in a notebook or a script:

```python
import speech_etl

con = speech_etl.connect("data")  # the folder `speech-etl ingest --warehouse data` wrote
```

The connection is a DuckDB connection to a new in-memory database with the warehouse attached
read-only (as `warehouse`, and the default): queries cannot change it, temporary tables work, and
an ingest may publish a new warehouse meanwhile; this connection keeps answering from the one it
opened, a new `connect` sees the new one. With no warehouse there, `connect` raises
`speech_etl.NoWarehouseError` (a `speech_etl.SpeechEtlError`) with one line saying what to run.

Every output below is real: a warehouse of the dev corpus (`../shared/corpus`, {documents}
documents, the local texts of `../shared/corpus/local/` included), written by

```sh
.venv/bin/speech-etl ingest ../shared/corpus --warehouse data
.venv/bin/python bench/analysis_examples.py data > docs/analysis.md
```

The second command wrote this page; the prose is beside the queries in
`bench/analysis_examples.py`.
"""


def frame_text(frame: pd.DataFrame) -> str:
    return frame.to_string(max_colwidth=34)


def page(warehouse: Path) -> str:
    con = speech_etl.connect(warehouse)
    documents = con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
    parts = [HEADER.format(documents=documents)]
    for number, example in enumerate(EXAMPLES, 1):
        parts.append(f"## {number}. {example.title}\n\n{example.before}\n")
        for sql in example.queries:
            frame = con.sql(sql).df()
            parts.append(f'```python\ncon.sql("""\n{sql}\n""").df()\n```\n\n```\n{frame_text(frame)}\n```\n')
        if example.after:
            parts.append(f"{example.after}\n")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, nargs="?", default=Path("data"))
    args = parser.parse_args()
    pd.set_option("display.width", 250)
    sys.stdout.write(page(args.warehouse))


if __name__ == "__main__":
    main()

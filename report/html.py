"""The page: one self-contained HTML file (CSS, the Vega/Vega-Lite/vega-embed
JavaScript and every chart's data inline; nothing is fetched when it opens)."""

from __future__ import annotations

import json
from functools import cache

import jinja2
from markupsafe import Markup, escape


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, from the vl-convert-python
    wheel (which ships them for its own offline rendering)."""
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def script_json(value) -> Markup:
    """JSON safe to put inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\!--"))


def highlight(sentence: str | None, mention: str | None) -> Markup:
    """The sentence with the figure's mention marked."""
    sentence = sentence or ""
    if mention and mention in sentence:
        before, _, after = sentence.partition(mention)
        return escape(before) + Markup("<mark>") + escape(mention) + Markup("</mark>") + escape(after)
    return escape(sentence)


CSS = """
:root { --miss: #fdecea; --met: #eaf6ee; --open: #f6f6f6; --ink: #222; --muted: #666; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei',
       'WenQuanYi Micro Hei', system-ui, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px;
       padding: 16px 24px 48px; line-height: 1.45; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid #e4e4e4; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 2px 0; }
.nodata { background: #fff8e1; border-left: 4px solid #f0b400; padding: 8px 12px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0 14px; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #fafafa; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.miss td { background: var(--miss); }
tr.met td { background: var(--met); }
tr.masked td.fig { color: #7f7f7f; font-style: italic; }
mark { background: #fff3b0; padding: 0 1px; }
.chart { min-height: 60px; margin: 6px 0; }
details > summary { cursor: pointer; color: #1f5fa8; margin: 4px 0; }
.cols { display: flex; gap: 24px; flex-wrap: wrap; }
.cols > div { flex: 1 1 320px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; }
.badge.miss { background: #c0392b; color: white; }
.badge.met { background: #2e8b57; color: white; }
.badge.open { background: #bbb; color: white; }
.legend-note { color: var(--muted); font-size: 13px; }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="speech-etl report">
<title>{{ title }} — {{ scope }}</title>
<style>{{ css }}</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="meta">Scope: {{ scope }}. {{ documents|length }} document{{ '' if documents|length == 1 else 's' }} covered.</p>
<p class="meta">Warehouse <code>{{ warehouse }}</code> last loaded {{ built_at or 'at an unknown time' }}; report made {{ generated_at }}.</p>
{% if no_documents %}<p class="nodata" id="no-documents">{{ no_documents }}</p>{% endif %}
{% if documents %}
<details><summary>Documents covered ({{ documents|length }})</summary>
<table id="documents"><tr><th>year</th><th>title</th><th>issuer</th><th>type</th><th>doc_id</th></tr>
{% for d in documents %}<tr><td>{{ d.year }}</td><td>{{ d.title }}</td><td>{{ d.issuer }}</td><td>{{ d.doc_type }}</td><td><code>{{ d.doc_id }}</code></td></tr>
{% endfor %}</table></details>
{% endif %}
</header>

<section id="indicators">
<h2>Indicators by period</h2>
<p class="legend-note">Actuals are a line with dots; targets are markers shaped by their bound (▲ at least, ▼ at most, ◆ about or exact), ranges a shaded band; estimates (预计) are hollow circles; figures about a span of years are bars across the span; masked figures (the number was replaced in the source) are dashed rules marked “masked” and break the line: they are never drawn as a value. Hover a mark for its document and sentence; the table under each chart lists every figure.</p>
{% for ind in indicators %}
<article class="indicator" id="indicator-{{ ind.key }}" data-indicator="{{ ind.key }}">
<h3>{{ ind.name }} <code>{{ ind.key }}</code></h3>
{% if ind.message %}<p class="nodata">{{ ind.message }}</p>{% endif %}
{% if ind.spec %}
<div class="chart" id="chart-{{ loop.index }}" data-spec="spec-{{ loop.index }}"></div>
<script type="application/json" id="spec-{{ loop.index }}">{{ ind.spec }}</script>
{% endif %}
{% if ind.rows %}
<details{% if ind.open_table %} open{% endif %}><summary>All {{ ind.rows|length }} figures of {{ ind.key }}</summary>
<table class="figures"><tr><th>period</th><th>measure</th><th>kind</th><th>figure</th><th>document</th><th>sentence</th></tr>
{% for r in ind.rows %}<tr class="{{ 'masked' if r.masked else '' }}" data-masked="{{ 'true' if r.masked else 'false' }}"><td>{{ r.period }}</td><td>{{ r.measure }}</td><td>{{ r.kind }}</td><td class="fig num">{{ r.figure }}</td><td>{{ r.document }}</td><td>{{ r.sentence }}</td></tr>
{% endfor %}</table></details>
{% endif %}
</article>
{% endfor %}
</section>

<section id="targets">
<h2>Targets against outcomes</h2>
{% if tva %}
<p class="legend-note">Misses first (largest gap first), then targets the bound does not decide (exact or “about” targets), then targets met. Gap = outcome minus the target (its midpoint for a range), in the target's unit.</p>
<table id="target-vs-actual"><tr><th>indicator</th><th>measure</th><th>period</th><th>target</th><th>outcome</th><th class="num">gap</th><th>met</th><th>target set in</th><th>outcome reported in</th></tr>
{% for r in tva %}<tr class="{{ r.status }}"><td>{{ r.indicator }}</td><td>{{ r.measure }}</td><td>{{ r.period }}</td><td class="num">{{ r.target }}</td><td class="num">{{ r.actual }}</td><td class="num">{{ r.gap }}</td><td><span class="badge {{ r.status }}">{{ r.met }}</span></td><td>{{ r.target_doc }}</td><td>{{ r.actual_doc }}</td></tr>
{% endfor %}</table>
{% else %}<p class="nodata" id="no-targets">{{ tva_message }}</p>{% endif %}
</section>

<section id="terms">
<h2>What the text talks about more, and less</h2>
{% if compare.message %}<p class="nodata" id="no-comparison">{{ compare.message }}</p>{% else %}
<p class="meta">From <b>{{ compare.a }}</b> ({{ compare.tokens_a }} tokens) to <b>{{ compare.b }}</b> ({{ compare.tokens_b }} tokens); rates per 10 000 tokens (jieba tokens without stopwords, punctuation and numbers).</p>
<div class="cols">
{% for name, rows in [('Rose most', compare.rises), ('Fell most', compare.falls)] %}
<div><h3>{{ name }}</h3>
{% if rows %}<table class="term-shift"><tr><th>term</th><th class="num">before /10k</th><th class="num">after /10k</th><th class="num">change</th><th class="num">counts</th></tr>
{% for r in rows %}<tr><td>{{ r.term }}</td><td class="num">{{ r.a }}</td><td class="num">{{ r.b }}</td><td class="num">{{ r.change }}</td><td class="num">{{ r.counts }}</td></tr>
{% endfor %}</table>{% else %}<p class="nodata">No term {{ name|lower }}.</p>{% endif %}
</div>
{% endfor %}
</div>
<h3>New sections in {{ compare.b }}</h3>
{% if compare.new_sections %}<table id="new-sections"><tr><th>level</th><th>marker</th><th>heading</th><th>role</th></tr>
{% for s in compare.new_sections %}<tr><td>{{ s.level }}</td><td>{{ s.marker }}</td><td>{{ s.heading }}</td><td>{{ s.role }}</td></tr>
{% endfor %}</table>{% else %}<p class="nodata">No heading that {{ compare.a }} does not have.</p>{% endif %}
{% endif %}
</section>

{% if has_charts %}
<script>{{ bundle }}</script>
<script>
(function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll('.chart[data-spec]'));
  var jobs = charts.map(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute('data-spec')).textContent);
    return vegaEmbed(el, spec, {actions: false, renderer: 'svg'}).then(function () {
      el.setAttribute('data-rendered', 'true');
    }).catch(function (e) {
      el.setAttribute('data-rendered', 'error');
      el.textContent = 'This chart could not be drawn: ' + e;
      console.error(e);
    });
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-charts-done', String(charts.length)); });
})();
</script>
{% endif %}
</body>
</html>
"""


def render(model: dict) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["tojson_script"] = script_json
    page = env.from_string(TEMPLATE)
    return page.render(css=Markup(CSS), bundle=Markup(vega_bundle()) if model.get("has_charts") else "", **model)

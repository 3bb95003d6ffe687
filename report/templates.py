"""The page templates (Jinja2): one base (header, CSS, the chart-drawing
script) and one template per page: the overview, the progress page, the
regions page."""

CSS = """
:root { --miss: #fdecea; --met: #eaf6ee; --open: #f6f6f6; --ink: #222; --muted: #666; }
* { box-sizing: border-box; }
body { font-family: 'speech-etl-cjk', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei',
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
.single { color: var(--muted); font-size: 13px; margin: 2px 0 8px 18px; }
"""


BASE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="speech-etl report">
<title>{{ title }} — {{ scope }}</title>
<style>{{ font_slot }}{{ css }}</style>
</head>
<body data-page="{{ page }}">
<header>
<h1>{{ title }}</h1>
{% block meta %}{% endblock %}
<p class="meta">Warehouse <code>{{ warehouse }}</code> last loaded {{ built_at or 'at an unknown time' }}; report made {{ generated_at }}.</p>
{{ note_slot }}
{% block header %}{% endblock %}
</header>
{% block content %}{% endblock %}
{% if has_charts %}
<script>{{ bundle_slot }}</script>
<script>
(function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll('.chart[data-spec]'));
  function draw() {
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
  }
  // the embedded Chinese font first, so that labels are measured in it
  var ready = document.fonts && document.fonts.load ? document.fonts.load("12px 'speech-etl-cjk'", "国") : null;
  if (ready) { ready.then(draw, draw); } else { draw(); }
})();
</script>
{% endif %}
</body>
</html>
"""

OVERVIEW = """{% extends "base.html" %}
{% block meta %}<p class="meta">Scope: {{ scope }}. {{ documents|length }} document{{ '' if documents|length == 1 else 's' }} covered.</p>{% endblock %}
{% block header %}
{% if no_documents %}<p class="nodata" id="no-documents">{{ no_documents }}</p>{% endif %}
{% if documents %}
<details><summary>Documents covered ({{ documents|length }})</summary>
<table id="documents"><tr><th>year</th><th>title</th><th>issuer</th><th>type</th><th>doc_id</th></tr>
{% for d in documents %}<tr><td>{{ d.year }}</td><td>{{ d.title }}</td><td>{{ d.issuer }}</td><td>{{ d.doc_type }}</td><td><code>{{ d.doc_id }}</code></td></tr>
{% endfor %}</table></details>
{% endif %}
{% endblock %}
{% block content %}

<section id="indicators">
<h2>Indicators by period</h2>
<p class="legend-note">Actuals are dots, joined by a line only from one period to the one right after it (a year with no figure is a gap); targets are markers shaped by their bound (▲ at least, ▼ at most, ◆ about or exact), ranges a shaded band; estimates (预计) are hollow circles; figures about spans of several years (五年累计, 十一五) are on panels of their own, one row per span; masked figures (the number was replaced in the source) are dashed rules marked “masked” and break the line: they are never drawn as a value. Hover a mark for its document and sentence; the table under each chart lists every figure.</p>
{% for ind in indicators %}
<article class="indicator" id="indicator-{{ ind.key }}" data-indicator="{{ ind.key }}">
<h3>{{ ind.name }} <code>{{ ind.key }}</code></h3>
{% if ind.message %}<p class="nodata">{{ ind.message }}</p>{% endif %}
{% if ind.spec %}
<div class="chart" id="chart-{{ loop.index }}" data-spec="spec-{{ loop.index }}"></div>
<script type="application/json" id="spec-{{ loop.index }}">{{ ind.spec }}</script>
{% endif %}
{% for s in ind.single %}{% if loop.first %}<p class="single">Not charted (one figure or one period only; in the table):</p><ul class="single">{% endif %}<li>{{ s }}</li>{% if loop.last %}</ul>{% endif %}{% endfor %}
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
<p class="legend-note">Misses first, then targets the bound does not decide (exact or “about” targets), then targets met; within each, by unit, largest gap first. Gap = outcome minus the target (its midpoint for a range), in the target's unit.</p>
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

{% endblock %}
"""

PROGRESS = """{% extends "base.html" %}
{% block meta %}<p class="meta">Progress of <b>{{ issuer }}</b> toward its targets for {{ year if year is not none else 'no year' }}{% if years|length > 1 %} (years with part-year figures beside targets: {{ years|join(', ') }}){% endif %}.</p>{% endblock %}
{% block header %}{% if message %}<p class="nodata" id="no-progress">{{ message }}</p>{% endif %}{% endblock %}
{% block content %}
<section id="progress">
{% if charts %}
<p class="legend-note">Each row is a part-year figure (an actual, or an estimate marked 预计) beside the same issuer's target for the whole year. Shares: the bar is the share of the year's target reached, on a grey bar standing for the whole target; the black tick is the share of the year gone by at the end of the period (a steady pace reaches the tick); the hollow diamond is the share the text itself states (占年度计划…%); the grey dot is the share reached by the same point of the year before. Rates (growth) cannot be a share of a year: the bar is the part-year rate, the marker the year's target, shaped by its bound (▲ at least, ▼ at most, ◆ about or exact), a band for a range.</p>
{% for c in charts %}
<h2>{{ c.title }}</h2>
<div class="chart" id="chart-{{ c.id }}" data-spec="spec-{{ c.id }}"></div>
<script type="application/json" id="spec-{{ c.id }}">{{ c.spec }}</script>
{% endfor %}
{% endif %}
{% if rows %}
<h2>Every part-year figure beside its target</h2>
<table id="progress-rows"><tr><th>figure</th><th>period</th><th class="num">actual</th><th class="num">year's target</th><th class="num">share reached</th><th class="num">share of year gone</th><th class="num">share stated</th><th class="num">stated − computed</th><th class="num">share a year earlier</th><th>actual in</th><th>target in</th></tr>
{% for r in rows %}<tr><td>{{ r.label }}</td><td>{{ r.period }}</td><td class="num">{{ r.actual }}</td><td class="num">{{ r.target }}</td><td class="num">{{ r.share }}</td><td class="num">{{ r.elapsed }}</td><td class="num">{{ r.stated }}</td><td class="num">{{ r.stated_minus }}</td><td class="num">{{ r.earlier }}</td><td>{{ r.actual_doc }}</td><td>{{ r.target_doc }}</td></tr>
{% endfor %}</table>
{% endif %}
</section>
{% endblock %}
"""

REGIONS = """{% extends "base.html" %}
{% block meta %}<p class="meta">{% if name %}<b>{{ name }}</b> <code>{{ key }}</code> across the regions of level <b>{{ level }}</b>{% if regions %}: {{ regions|length }} region{{ '' if regions|length == 1 else 's' }} state it{% endif %}.{% else %}Level {{ level }}.{% endif %}</p>{% endblock %}
{% block header %}{% if message %}<p class="nodata" id="no-regions">{{ message }}</p>{% endif %}{% endblock %}
{% block content %}
<section id="regions">
{% if charts %}
<p class="legend-note">Actuals only, of one measure, one span and one unit (here {{ series.measure }}, {{ series.span }}{% if series.unit %}, {{ series.unit }}{% endif %}), so that no half-year stands beside a year{% if other_spans %}; the indicator also has actuals for {{ other_spans|join(', ') }}: choose with --span{% endif %}{% if other_measures %}; other measures: {{ other_measures|join(', ') }}, choose with --measure{% endif %}. One colour per region; a line joins a region's figures only from one period to the one right after it, so a period a region does not state is a gap. Hover a mark for its document and sentence.</p>
{% for c in charts %}
<div class="chart" id="chart-{{ c.id }}" data-spec="spec-{{ c.id }}"></div>
<script type="application/json" id="spec-{{ c.id }}">{{ c.spec }}</script>
{% endfor %}
{% endif %}
{% if rows %}
<details{% if rows|length <= 30 %} open{% endif %}><summary>All {{ rows|length }} figures of {{ key }} at level {{ level }}</summary>
<table class="figures"><tr><th>region</th><th>period</th><th>measure</th><th>kind</th><th>figure</th><th>document</th><th>sentence</th></tr>
{% for r in rows %}<tr><td>{{ r.region }}</td><td>{{ r.period }}</td><td>{{ r.measure }}</td><td>{{ r.kind }}</td><td class="fig num">{{ r.figure }}</td><td>{{ r.document }}</td><td>{{ r.sentence }}</td></tr>
{% endfor %}</table></details>
{% endif %}
</section>
{% endblock %}
"""

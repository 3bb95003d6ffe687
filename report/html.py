"""The page: one self-contained HTML file (CSS, a subset of a Chinese font,
the Vega/Vega-Lite/vega-embed JavaScript and every chart's data inline;
nothing is fetched when it opens)."""

from __future__ import annotations

import json
from functools import cache

import jinja2
from markupsafe import Markup, escape

from report.fonts import EmbeddedFont, embed_font
from report.templates import BASE, CSS, OVERVIEW, PROGRESS, REGIONS


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


# placeholders filled after the page is rendered: the font needs the page's characters first
_FONT_SLOT = "/*speech-etl:font-face*/"
_NOTE_SLOT = "<!--speech-etl:font-note-->"
_BUNDLE_SLOT = "/*speech-etl:vega-bundle*/"


@cache
def _environment() -> jinja2.Environment:
    pages = {"base.html": BASE, "overview.html": OVERVIEW, "progress.html": PROGRESS, "regions.html": REGIONS}
    return jinja2.Environment(loader=jinja2.DictLoader(pages), autoescape=True, undefined=jinja2.StrictUndefined)


def render(model: dict) -> tuple[str, EmbeddedFont]:
    """The page for `model["page"]`, with a subset of a CJK font for its
    characters inline (report/fonts.py), or a note saying there is none."""
    page = _environment().get_template(f"{model.get('page', 'overview')}.html").render(
        css=Markup(CSS), font_slot=Markup(_FONT_SLOT), note_slot=Markup(_NOTE_SLOT),
        bundle_slot=Markup(_BUNDLE_SLOT), **{"page": "overview", **model})
    font = embed_font(page)
    note = f'<p class="nodata" id="font-note">{escape(font.note)}</p>' if font.note else ""
    page = page.replace(_FONT_SLOT, font.css, 1).replace(_NOTE_SLOT, note, 1)
    if model.get("has_charts"):
        before, _, after = page.rpartition(_BUNDLE_SLOT)
        page = before + vega_bundle() + after
    return page, font

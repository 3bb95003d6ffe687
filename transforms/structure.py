"""Structure: the heading tree of a document.

Every paragraph (line of the cleaned text) is either a heading, led by one of
the marker styles of `headings.yaml`, or body text. Levels come from the order
styles are met in (the first style is level 1, a new style nests under the
current one, a style met again closes what is below it), which is how the
reports themselves nest 一、 > (一) > 1. > (1) > 一是.

The leaves of the tree tile the text: every character lies in exactly one leaf.
A heading's own line and the paragraphs before its first sub-heading form an
unmarked leaf under it, and so does body text after a paragraph-level child
(一是, ——) ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import cn2an

from transforms.document import Document, Section
from transforms.knowledge import load_yaml

PARAGRAPH_STYLES = frozenset({"shi_lead", "dash_lead", "ordinal_lead"})


@dataclass(frozen=True)
class _Style:
    name: str
    regex: re.Pattern
    canonical: str


@dataclass(frozen=True)
class _Config:
    styles: tuple[_Style, ...]
    heading_end: re.Pattern
    max_heading_chars: int
    outline: re.Pattern
    outline_item: re.Pattern
    roles: tuple[tuple[str, tuple[str, ...]], ...]


@cache
def _config() -> _Config:
    spec = load_yaml("headings.yaml")
    styles = tuple(_Style(s["name"], re.compile(s["regex"]), s["canonical"]) for s in spec["styles"])
    dun = next(s for s in styles if s.name == "chinese_dun")
    return _Config(
        styles=styles,
        heading_end=re.compile(f"[{re.escape(spec['heading_end'])}]"),
        max_heading_chars=spec["max_heading_chars"],
        outline=re.compile("|".join(re.escape(m) for m in spec["outline_markers"])),
        outline_item=dun.regex,
        roles=tuple((r["role"], tuple(r["cues"])) for r in spec["roles"]),
    )


@dataclass
class _Node:
    start: int
    style: str = ""  # "" for unmarked text
    number: int | None = None
    marker: str = ""
    heading: str = ""
    role: str = ""
    children: list[_Node] = field(default_factory=list)
    end: int = 0

    @property
    def is_text(self) -> bool:
        return self.style == ""


@cache  # a marker's ordinal is one of a few dozen tokens; cn2an is slow
def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    try:
        return int(cn2an.cn2an(token, "strict"))
    except (ValueError, KeyError):
        return None


def _heading_text(line: str, marker_end: int, cfg: _Config) -> str:
    """The marker's line when short, else its first sentence; a long first
    sentence (a paragraph led by 一是) is cut at its first comma."""
    rest = line[marker_end:]
    cut = cfg.heading_end.search(rest)
    if cut:
        rest = rest[: cut.start()]
    if len(rest) > cfg.max_heading_chars // 2 and "," in rest:
        rest = rest[: rest.index(",")]
    return rest[: cfg.max_heading_chars].strip()


def _match_marker(line: str, cfg: _Config) -> tuple[_Style, re.Match] | None:
    for style in cfg.styles:
        match = style.regex.match(line)
        if match and match.end() < len(line):
            return style, match
    return None


def _role_of(heading: str, previous: str | None, cfg: _Config) -> str:
    for role, cues in cfg.roles:
        if any(cue in heading for cue in cues):
            return role
    return "tasks" if previous == "tasks" else "other"


class _TreeBuilder:
    def __init__(self, text: str, gap_offsets: list[int]):
        self.text = text
        self.cfg = _config()
        self.gaps = sorted(gap_offsets)
        self.root = _Node(start=0, style="root")
        # open headings, outermost first
        self.stack: list[_Node] = []

    # -- containers ------------------------------------------------------
    def _container(self) -> _Node:
        return self.stack[-1] if self.stack else self.root

    def _add_text(self, start: int) -> None:
        container = self._container()
        if container.children and container.children[-1].is_text:
            return  # the running text leaf goes on
        container.children.append(_Node(start=start))

    # -- headings --------------------------------------------------------
    def _gap_between(self, a: int, b: int) -> bool:
        return any(a <= g <= b for g in self.gaps)

    def _accepts(self, style: _Style, number: int | None, start: int) -> int | None:
        """Depth in the stack the heading goes to, or None when it is body text."""
        depth = next((i for i, n in enumerate(self.stack) if n.style == style.name), None)
        if number is None:  # unnumbered (——): always a heading
            return depth if depth is not None else len(self.stack)
        if depth is not None:
            # the list goes on: the next number, or a later one across a gap
            previous = self.stack[depth]
            if number == previous.number + 1 or (
                number > previous.number and self._gap_between(previous.start, start)
            ):
                return depth
            return None
        # a new list nests under the current heading and starts at 1
        if number == 1 or self._gap_between(self._container().start, start):
            return len(self.stack)
        return None

    def add_heading(self, style: _Style, match: re.Match, start: int, line: str) -> bool:
        number = _number(match.group("number")) if "number" in match.groupdict() else None
        depth = self._accepts(style, number, start)
        if depth is None:
            return False
        del self.stack[depth:]
        parent = self._container()
        marker = style.canonical.format(number=match.groupdict().get("number", ""))
        node = _Node(start=start, style=style.name, number=number, marker=marker,
                     heading=_heading_text(line, match.end(), self.cfg))
        parent.children.append(node)
        node.children.append(_Node(start=start))  # the heading line's own text
        self.stack.append(node)
        return True

    def add_outline(self, start: int, line: str, marker: re.Match) -> None:
        """An outline line: its numbered items become children, apart from the body."""
        self.stack.clear()
        node = _Node(start=start, style="outline", marker=marker.group(0), heading="提纲", role="outline")
        node.children.append(_Node(start=start, role="outline"))
        expected = 1
        for item in self.cfg.outline_item.finditer(line, marker.end()):
            if _number(item.group("number")) != expected:
                continue
            expected += 1
            node.children.append(_Node(
                start=start + item.start(), style="outline_item", number=expected - 1,
                marker=f"{item.group('number')}、", role="outline",
                heading=_heading_text(line, item.end(), self.cfg),
            ))
        self.root.children.append(node)
        body_resumes = min(start + len(line) + 1, len(self.text))
        self.root.children.append(_Node(start=body_resumes))

    def close_paragraph_level(self) -> None:
        while self.stack and self.stack[-1].style in PARAGRAPH_STYLES:
            self.stack.pop()

    def build(self) -> _Node:
        offset = 0
        for line in self.text.split("\n"):
            start = offset
            offset += len(line) + 1
            if not line:
                continue
            self.close_paragraph_level()
            outline = self.cfg.outline.match(line)
            if outline and outline.end() < len(line):
                self.add_outline(start, line, outline)
                continue
            found = _match_marker(line, self.cfg)
            if found and self.add_heading(found[0], found[1], start, line):
                continue
            self._add_text(start)
        return self.root


def _finish(root: _Node, text_length: int) -> None:
    """Drop empty text leaves, collapse lone text children, set ends."""
    leaves: list[_Node] = []

    def walk(node: _Node) -> None:
        if node is not root and len(node.children) == 1 and node.children[0].is_text:
            node.children = []
        for child in node.children:
            walk(child)
        if not node.children and node is not root:
            leaves.append(node)

    walk(root)
    leaves.sort(key=lambda n: n.start)
    # Two leaves can start at the same offset (a body-resumes marker at the end
    # of the text); keep the last, which is the more specific one.
    for leaf, following in zip(leaves, leaves[1:] + [None]):
        leaf.end = following.start if following else text_length

    def drop_empty(node: _Node) -> None:
        node.children = [c for c in node.children if c.children or c.end > c.start]
        for child in node.children:
            drop_empty(child)
        if node.children:
            node.end = node.children[-1].end
            node.start = min(node.start, node.children[0].start)

    drop_empty(root)


def _assign_roles(root: _Node) -> None:
    cfg = _config()
    previous: str | None = None
    for node in root.children:
        if not node.role:
            node.role = _role_of(node.heading, previous, cfg) if node.heading else "other"
        if node.heading and node.role != "outline":
            previous = node.role
        stack = list(node.children)
        while stack:
            child = stack.pop()
            child.role = child.role or node.role
            stack.extend(child.children)


def build_sections(text: str, doc_id: str, gap_offsets: list[int] | None = None) -> list[Section]:
    """The heading tree of `text` as `Section` rows in document order."""
    if not text:
        return []
    root = _TreeBuilder(text, gap_offsets or []).build()
    if not root.children:
        root.children.append(_Node(start=0))
    _finish(root, len(text))
    _assign_roles(root)
    sections: list[Section] = []

    def emit(node: _Node, parent: Section | None, level: int) -> None:
        dash_position = 0
        for child in node.children:
            if child.number is not None:
                ordinal = child.number
            elif child.style and child.style != "outline":
                dash_position += 1
                ordinal = dash_position
            else:
                ordinal = 0
            section = Section(
                doc_id=doc_id,
                section_id=f"{doc_id[:16]}-{len(sections):04d}",
                parent_id=parent.section_id if parent else None,
                level=level,
                ordinal=ordinal,
                marker=child.marker,
                heading=child.heading,
                path=f"{parent.path}/{ordinal}" if parent else str(ordinal),
                role=child.role,
                char_start=child.start,
                char_end=child.end,
                text=text[child.start:child.end],
            )
            sections.append(section)
            emit(child, section, level + 1)

    emit(root, None, 1)
    return sections


def structure(doc: Document) -> Document:
    doc.sections = build_sections(doc.text, doc.doc_id, [g.at for g in doc.gaps])
    return doc

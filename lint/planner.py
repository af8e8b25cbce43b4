"""Planning text edits from node positions: where a new key, list item or value goes, and how it looks.

Shared by the token fix (fix.py) and the repairs of hand-made projections (repairs.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import yaml_nodes as yn
from .edits import Edit
from .layout import Style, block_mapping, block_sequence, flow, flow_entry
from .model import CONTAINER_GROUPS

# An alias right after an offset: only indicators, spaces and comments come between (a comment may hold a `*`).
_ALIAS = re.compile(r"(?:[\s:,?\[{-]|#[^\n]*)*(\*[^\s,\[\]{}]+)")
_ANCHOR = re.compile(r"&[^\s,\[\]{}]+[ \t]+")
_ENTRY_DASH = re.compile(r"^( *)-[ \t\r\n]", re.MULTILINE)


class FixError(Exception):
    """The fix could not be made safely; the file is left as it was."""


class Planner:
    """Collects the edits for one file; nodes shared through anchors are edited once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.edits: list[Edit] = []
        self.done: set[int] = set()
        self.last_leaf: Node | None = None

    def once(self, node: Node) -> bool:
        if id(node) in self.done:
            return False
        self.done.add(id(node))
        return True

    # -- positions -------------------------------------------------------------------------------

    def content_end(self, node: Node, lower: int) -> int:
        """Offset just after the last character that belongs to a node's value."""
        if node.start_mark.index < lower:  # an alias: the node itself lives at its anchor
            match = _ALIAS.match(self.text, lower)
            if match is None:
                raise FixError("cannot locate an alias")
            self.last_leaf = None  # the text ends with `*name`, never inside a block scalar
            return match.end()
        if isinstance(node, ScalarNode) or node.flow_style or not node.value:
            self.last_leaf = node
            return node.end_mark.index
        if isinstance(node, MappingNode):
            key, value = node.value[-1]
            return self.content_end(value, key.end_mark.index)
        bound = node.start_mark.index
        for item in node.value[:-1]:
            bound = self.content_end(item, bound)
        return self.content_end(node.value[-1], bound)

    def next_line(self, offset: int) -> int | None:
        """Start of the line after offset (an offset already at a line start stays); None at EOF."""
        if offset > 0 and self.text[offset - 1] == "\n":
            return offset
        newline = self.text.find("\n", offset)
        return None if newline < 0 else newline + 1

    def insert_lines(self, offset: int, lines: list[str], style: Style) -> None:
        at = self.next_line(offset)
        depth = nesting(lines[0])
        if at is None and isinstance(self.last_leaf, ScalarNode) and self.last_leaf.style in ("|", ">"):
            # A line break after it would become part of the block scalar's value.
            raise FixError("cannot append after a block scalar that ends the file without a newline")
        if at is None:
            self.edits.append(Edit.insert(len(self.text), style.newline + style.newline.join(lines), depth))
        else:
            self.edits.append(Edit.insert(at, style.newline.join(lines) + style.newline, depth))

    def before_comments(self, line_start: int) -> int:
        """Move an insertion point above the comment lines directly over it (they belong to the key below)."""
        while line_start > 0:
            previous = self.text.rfind("\n", 0, line_start - 1) + 1
            if not self.text[previous:line_start].strip().startswith("#"):
                break
            line_start = previous
        return line_start

    # -- edits -----------------------------------------------------------------------------------

    def set_entry(self, mapping: MappingNode, key: str, value: object, style: Style, after: str | None) -> None:
        """Add `key: value` to a mapping that lacks it as its own key: after the entry `after` when the
        mapping has it, else first when `after` is empty, else last (or first, where last cannot be)."""
        if mapping.flow_style:
            self.edits.append(self._flow_insert(mapping, flow_entry(key, value, style.json)))
            return
        column = mapping.value[0][0].start_mark.column
        lines = block_mapping({key: value}, column, style)
        anchor_pair = own_entry(mapping, after) if after else None
        if anchor_pair is not None:
            self.insert_lines(self.content_end(anchor_pair[1], anchor_pair[0].end_mark.index), lines, style)
        elif after == "":
            self.insert_first(mapping, lines, style)
        else:
            try:
                self.insert_lines(self.content_end(mapping, mapping.start_mark.index), lines, style)
            except FixError:
                self.insert_first(mapping, lines, style)

    def insert_first(self, mapping: MappingNode, lines: list[str], style: Style) -> None:
        """Insert lines above a block mapping's first key and the comments that belong to it."""
        first_key = mapping.value[0][0]
        line_start = self.text.rfind("\n", 0, first_key.start_mark.index) + 1
        if self.text[line_start : first_key.start_mark.index].strip():
            # The first key shares its line with a dash (`- name: x`): go right after that entry.
            first_value = mapping.value[0][1]
            self.insert_lines(self.content_end(first_value, first_key.end_mark.index), lines, style)
            return
        at = self.before_comments(line_start)
        depth = nesting(lines[0])
        self.edits.append(Edit.insert(at, style.newline.join(lines) + style.newline, depth))

    def append_item(self, sequence: SequenceNode, item: dict, style: Style, key: Node | None = None) -> None:
        if sequence.flow_style:
            self.edits.append(self._flow_insert(sequence, flow(item, style.json)))
            return
        start = sequence.start_mark.index
        dash_at = start
        if self.text[start] != "-":  # an anchor or tag (`key: &mounts`) comes before the first dash
            match = _ENTRY_DASH.search(self.text, start)
            if match is None:
                raise FixError("cannot locate the items of a block sequence")
            dash_at = match.end(1)
        dash = dash_at - (self.text.rfind("\n", 0, dash_at) + 1)
        first = sequence.value[0]
        on_dash_line = first.start_mark.index > dash_at and "\n" not in self.text[dash_at : first.start_mark.index]
        gap = first.start_mark.column - dash if on_dash_line else style.dash_gap
        offset = style.sequence_offset
        if key is not None and key.end_mark.index < start and "\n" in self.text[key.end_mark.index : dash_at]:
            offset = dash - key.start_mark.column  # lists inside the new item follow this list's own style
        lines = block_sequence([item], dash, Style(style.indent, max(offset, 0), max(gap, 1), style.newline))
        self.insert_lines(self.content_end(sequence, sequence.start_mark.index), lines, style)

    def fill_empty(self, mapping: MappingNode, key: ScalarNode, value: Node, items: list, style: Style) -> None:
        """Replace `key: []`, `key: {}`, `key: ~` or a bare `key:` with a list of the new items."""
        if mapping.flow_style:
            self.edits.append(Edit(key.end_mark.index, value.end_mark.index, ": " + flow(items, style.json)))
            return
        self.edits.append(Edit(key.end_mark.index, max(value.end_mark.index, key.end_mark.index), ":"))
        lines = block_sequence(items, key.start_mark.column + style.sequence_offset, style)
        self.last_leaf = value
        self.insert_lines(value.end_mark.index, lines, style)

    def add_to_list(self, mapping: MappingNode, key: str, item: dict, style: Style) -> None:
        """Append an item to mapping[key], creating or filling the list as needed."""
        pair = yn.entries(mapping).get(key)
        own = own_entry(mapping, key)
        if pair is not None and isinstance(pair[1], SequenceNode) and pair[1].value:
            if self.once(pair[1]):
                self.append_item(pair[1], item, style, key=pair[0])
        elif own is not None and (yn.is_null(own[1]) or not own[1].value):
            self.fill_empty(mapping, own[0], own[1], [item], style)
        elif own is None:
            self.set_entry(mapping, key, [item], style, after=None)
        else:
            raise FixError(f"{key} is not a list")

    def _flow_insert(self, collection: Node, entry: str) -> Edit:
        close = collection.end_mark.index - 1
        if self.text[close] not in "]}":
            raise FixError("unexpected flow collection end")
        if not collection.value:
            return Edit.insert(close, entry)
        last = collection.value[-1]
        if isinstance(last, tuple):
            bound, last_node = last[0].end_mark.index, last[1]
        else:
            bound, last_node = collection.start_mark.index, last
            for item in collection.value[:-1]:  # an alias is found in the text after the item before it
                bound = self.content_end(item, bound)
        return Edit.insert(self.content_end(last_node, bound), ", " + entry)


def nesting(line: str) -> int:
    """Nesting of an inserted line: by column, and an indentless `- item` sits inside the key beside it."""
    body = line.lstrip()
    return 2 * (len(line) - len(body)) + body.startswith("-")


def own_entry(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for pair in mapping.value:
        if isinstance(pair[0], ScalarNode) and pair[0].tag != yn.MERGE_TAG and pair[0].value == key:
            return pair
    return None


def container_nodes(pod_spec: Node) -> list[MappingNode]:
    return [
        item
        for group in CONTAINER_GROUPS
        for item in yn.items(yn.get(pod_spec, group))
        if isinstance(item, MappingNode)
    ]


@dataclass(frozen=True, slots=True)
class Replay:
    """One intended change to one object, replayed on plain data to verify the edited text."""

    document: int
    index: int
    apply: Callable[[dict, set[int]], None]


def data_at(obj: object, path: tuple[str | int, ...]) -> object:
    for step in path:
        obj = obj[step]
    return obj


def replace_scalar(planner: Planner, key: ScalarNode, value: Node, text: str) -> None:
    """Replace a scalar value where it is written: at its alias, or after its anchor."""
    start, end = value.start_mark.index, value.end_mark.index
    if start < key.end_mark.index:  # an alias: replace it here, its anchor may serve other fields
        alias = _ALIAS.match(planner.text, key.end_mark.index)
        if alias is None:
            raise FixError("cannot locate an alias")
        start, end = alias.span(1)
    else:
        anchor = _ANCHOR.match(planner.text, start)
        if anchor is not None and anchor.end() < end:
            start = anchor.end()  # keep `&name`, so that its aliases read the new value too
    planner.edits.append(Edit(start, end, text if end > start else " " + text))


def append_data(mapping: dict, key: str, item: dict, seen: set[int]) -> None:
    current = mapping.get(key)
    if isinstance(current, list) and current:
        if id(current) not in seen:
            seen.add(id(current))
            current.append(item)
    else:
        mapping[key] = [item]

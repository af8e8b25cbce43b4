"""Where new YAML text goes and how it looks: the file's own indentation, sequence style and
line endings, read from the nodes around the insertion point."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_PLAIN_SAFE = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


@dataclass(frozen=True, slots=True)
class Style:
    """indent: columns a nested mapping moves right; sequence_offset: columns from a key to its
    items' dashes (0 for `key:\\n- item`); dash_gap: columns from a dash to the item's content;
    json: flow collections are written as JSON (a `.yaml` file may hold JSON, and it should stay JSON)."""

    indent: int = 2
    sequence_offset: int = 0
    dash_gap: int = 2
    newline: str = "\n"
    json: bool = False


def scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_SAFE.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text)


def flow(value: object, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(flow_entry(key, item) for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar_text(value)


def flow_entry(key: str, value: object, as_json: bool = False) -> str:
    return f"{json.dumps(key) if as_json else key}: {flow(value, as_json)}"


def block_mapping(value: dict, column: int, style: Style) -> list[str]:
    """Lines of a block mapping whose keys start at `column`."""
    lines = []
    for key, item in value.items():
        head = " " * column + f"{key}:"
        if isinstance(item, dict) and item:
            lines.append(head)
            lines.extend(block_mapping(item, column + style.indent, style))
        elif isinstance(item, list) and item:
            lines.append(head)
            lines.extend(block_sequence(item, column + style.sequence_offset, style))
        else:
            lines.append(f"{head} {flow(item)}")
    return lines


def block_sequence(values: list, dash_column: int, style: Style) -> list[str]:
    lines = []
    content_column = dash_column + style.dash_gap
    for item in values:
        if isinstance(item, dict) and item:
            body = block_mapping(item, content_column, style)
            body[0] = " " * dash_column + "-" + body[0][dash_column + 1 :]
            lines.extend(body)
        else:
            lines.append(" " * dash_column + "-" + " " * (style.dash_gap - 1) + flow(item))
    return lines


def detect_style(text: str, *nodes: Node | None) -> Style:
    """Read the indentation habits of the mappings and sequences under the given nodes."""
    # The majority wins: a file with a few stray CRLF lines gets LF lines, and the other way round.
    newline = "\r\n" if 2 * text.count("\r\n") > text.count("\n") else "\n"
    indent = sequence_offset = dash_gap = None
    stack = [node for node in nodes if node is not None]
    seen: set[int] = set()
    while stack and (indent is None or sequence_offset is None):
        node = stack.pop(0)
        if id(node) in seen or getattr(node, "flow_style", False):
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(value, MappingNode) and not value.flow_style and value.value and indent is None:
                    child = value.value[0][0]
                    if child.start_mark.line > key.start_mark.line:
                        indent = child.start_mark.column - key.start_mark.column
                block_sequence_below_key = (
                    isinstance(value, SequenceNode)
                    and not value.flow_style
                    and value.value
                    and value.start_mark.line > key.start_mark.line
                )
                if block_sequence_below_key and sequence_offset is None:
                    sequence_offset = value.start_mark.column - key.start_mark.column
                    first = value.value[0]
                    if first.start_mark.line == value.start_mark.line:
                        dash_gap = first.start_mark.column - value.start_mark.column
                if not isinstance(value, ScalarNode):
                    stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(item for item in node.value if not isinstance(item, ScalarNode))
    return Style(
        indent=indent if indent and indent > 0 else 2,
        sequence_offset=sequence_offset if sequence_offset is not None and sequence_offset >= 0 else 0,
        dash_gap=dash_gap if dash_gap and dash_gap > 0 else 2,
        newline=newline,
        json=any(_json_mapping(node) for node in nodes),
    )


def _json_mapping(node: Node | None) -> bool:
    """A flow mapping whose keys are all double-quoted: JSON, or written like it."""
    return (
        isinstance(node, MappingNode)
        and bool(node.flow_style and node.value)
        and all(isinstance(key, ScalarNode) and key.style == '"' for key, _ in node.value)
    )

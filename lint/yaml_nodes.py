"""Reading composed YAML nodes the way the Kubernetes API server reads the same bytes.

kubectl, Helm, Argo CD and Flux turn YAML into JSON with go-yaml (YAML 1.1 rules), so
``no``/``off``/``y`` are booleans, ``0644`` is octal 420 and ``86_400`` is 86400. Nodes are
composed with the 1.1 resolver and their plain scalars converted here; quoted scalars stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG = "tag:yaml.org,2002:"

# go-yaml v2 (sigs.k8s.io/yaml) also reads y/n as booleans; ruamel's 1.1 resolver does not.
_BOOLEANS = {
    **dict.fromkeys(("y", "yes", "true", "on"), True),
    **dict.fromkeys(("n", "no", "false", "off"), False),
}
_SEXAGESIMAL = re.compile(r"^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$")


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int

    @classmethod
    def of(cls, node: Node) -> Position:
        mark = node.start_mark
        return cls(mark.line + 1, mark.column + 1)


class DuplicateKeyError(Exception):
    def __init__(self, key: str, first: Node, second: Node) -> None:
        super().__init__(
            f"duplicate key {key!r} (line {first.start_mark.line + 1} and line {second.start_mark.line + 1})"
        )
        self.position = Position.of(second)


def scalar(node: Node | None) -> object:
    """The value of a scalar node as the API server sees it; None for collections."""
    if not isinstance(node, ScalarNode):
        return None
    tag, text = node.tag, node.value
    if not tag.startswith(_TAG):
        return text
    kind = tag[len(_TAG) :]
    if kind == "bool":
        return _BOOLEANS.get(text.lower(), text)
    if kind == "null":
        return None
    if kind == "int":
        return _int(text)
    if kind == "float":
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    if kind == "str" and node.style is None and text.lower() in ("y", "n"):
        return _BOOLEANS[text.lower()]
    return text


def _int(text: str) -> int | str:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    try:
        if _SEXAGESIMAL.match(text):
            value = 0
            for part in digits.split(":"):
                value = value * 60 + int(part)
            return sign * value
        if digits.startswith(("0x", "0X")):
            return sign * int(digits[2:], 16)
        if digits.startswith(("0b", "0B")):
            return sign * int(digits[2:], 2)
        if digits.startswith(("0o", "0O")):
            return sign * int(digits[2:], 8)
        if len(digits) > 1 and digits.startswith("0"):
            return sign * int(digits, 8)
        return sign * int(digits)
    except ValueError:
        return text


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG + "null")


def entries(node: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    """Key -> (key node, value node) of a mapping, merge keys applied (explicit keys win)."""
    if not isinstance(node, MappingNode):
        return {}
    own: dict[str, tuple[ScalarNode, Node]] = {}
    merged: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                for name, pair in entries(source).items():
                    merged.setdefault(name, pair)
        elif isinstance(key, ScalarNode):
            own[key.value] = (key, value)
    return {**merged, **own} if merged else own


def get(node: Node | None, key: str) -> Node | None:
    pair = entries(node).get(key)
    return pair[1] if pair else None


def dig(node: Node | None, *path: str) -> Node | None:
    for key in path:
        node = get(node, key)
        if node is None:
            return None
    return node


def items(node: Node | None) -> list[Node]:
    return node.value if isinstance(node, SequenceNode) else []


def text(node: Node | None) -> str | None:
    """A string-valued scalar, or None."""
    value = scalar(node)
    return value if isinstance(value, str) else None


def check_duplicate_keys(root: Node) -> None:
    """Raise DuplicateKeyError for the first mapping that repeats a key, as kubectl would."""
    stack = [root]
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            if id(node) in seen_nodes:
                continue
            seen_nodes.add(id(node))
            keys: dict[str, Node] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag != MERGE_TAG:
                    first = keys.setdefault(key.value, key)
                    if first is not key:
                        raise DuplicateKeyError(key.value, first, key)
                if not isinstance(value, ScalarNode):
                    stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(child for child in node.value if not isinstance(child, ScalarNode))

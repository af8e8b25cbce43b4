"""Reading composed YAML nodes the way the Kubernetes API server reads the same bytes.

kubectl, Helm, Argo CD and Flux turn YAML into JSON with go-yaml (YAML 1.1 rules), so
``no``/``off``/``y`` are booleans, ``0644`` is octal 420 and ``86_400`` is 86400. Nodes are
composed with the 1.1 resolver and their plain scalars converted here; quoted scalars stay strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG = "tag:yaml.org,2002:"
YAML_VERSION = (1, 1)

# go-yaml v2 (sigs.k8s.io/yaml) also reads y/n as booleans; ruamel's 1.1 resolver does not.
_BOOLEANS = {
    **dict.fromkeys(("y", "yes", "true", "on"), True),
    **dict.fromkeys(("n", "no", "false", "off"), False),
}
# go-yaml's numbers, underscores removed: Go's strconv.ParseInt(text, 0, 64), else its float syntax.
# YAML 1.1's base-60 numbers (`1:30:00`) are strings there; `0o644` is an integer.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("0123456789+-.")
# Go's JSON encoder writes a whole float below 1e21 without a fraction: the API server reads an integer.
_JSON_INTEGRAL_FLOAT_LIMIT = 1e21


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int

    @classmethod
    def of(cls, node: Node) -> Position:
        mark = node.start_mark
        return cls(mark.line + 1, mark.column + 1)

    def __reduce__(self) -> tuple:
        # Summaries come back from --jobs workers pickled, with a Position in almost every field;
        # the state-based pickling of frozen dataclasses reads fields() per object, ten times slower.
        return (Position, (self.line, self.column))


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
    text = node.value
    kind = _kind(node)
    if kind is None:
        return text
    if kind == "bool":
        return _BOOLEANS.get(text.lower(), text)
    if kind == "null":
        return None
    if kind == "float" and text.lstrip("+-").lower() in (".inf", ".nan"):
        return float(text.replace(".", "", 1))
    # A plain scalar the 1.1 resolver leaves a string may still be a number or y/n to go-yaml; one that is
    # tagged `!!str` stays a string there too. libyaml marks a plain scalar with an empty style, ruamel with None.
    plain = not node.style and node.ctag is _STR
    if kind in ("int", "float") or (kind == "str" and plain and text[:1] in _NUMBER_START):
        number = _go_number(text)
        return text if number is None else number
    if kind == "str" and plain and text.lower() in ("y", "n"):
        return _BOOLEANS[text.lower()]
    return text


def _go_number(text: str) -> int | float | None:
    plain = text.replace("_", "")
    if _GO_INT.fullmatch(plain):
        sign, digits = (-1, plain[1:]) if plain[0] == "-" else (1, plain.lstrip("+"))
        if len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567":
            return sign * int(digits, 8)
        return sign * int(digits, 0)
    if _GO_FLOAT.fullmatch(plain):
        value = float(plain)
        return int(value) if value.is_integer() and abs(value) < _JSON_INTEGRAL_FLOAT_LIMIT else value
    return None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and _kind(node) == "null")


def entries(node: Node | None) -> dict[str, tuple[ScalarNode, Node]]:
    """Key -> (key node, value node) of a mapping, merge keys applied (explicit keys win)."""
    if not isinstance(node, MappingNode):
        return {}
    own: dict[str, tuple[ScalarNode, Node]] = {}
    merged: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        if key.ctag is not _STR and key.tag == MERGE_TAG:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                for name, pair in entries(source).items():
                    merged.setdefault(name, pair)
        elif isinstance(key, ScalarNode):
            own[key.value] = (key, value)
    return {**merged, **own} if merged else own


def get(node: Node | None, key: str) -> Node | None:
    """The value of one key, merge keys applied (explicit keys win), without building entries() for it."""
    if not isinstance(node, MappingNode):
        return None
    only_plain_keys = True
    for candidate, value in node.value:
        if candidate.ctag is _STR:
            if candidate.value == key:
                return value
        else:
            only_plain_keys = False  # a merge key, or a tagged or non-string key: entries() decides
    if only_plain_keys:
        return None
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


def _implicit_tags(version: tuple[int, int]) -> dict[str, tuple[tuple[Tag, Callable], ...]]:
    """ruamel's implicit resolvers for one YAML version, by first character, each tag one shared Tag."""
    tags: dict[str, Tag] = {}
    by_first: dict[str, list[tuple[Tag, Callable]]] = {}
    for versions, tag, pattern, first_characters in implicit_resolvers:
        if version in versions:
            shared = tags.setdefault(tag, Tag(suffix=tag))
            for character in first_characters:
                by_first.setdefault(character or "", []).append((shared, pattern.match))
    return {character: tuple(candidates) for character, candidates in by_first.items()}


_IMPLICIT = _implicit_tags(YAML_VERSION)
_STR, _SEQ, _MAP = BaseResolver.DEFAULT_SCALAR_TAG, BaseResolver.DEFAULT_SEQUENCE_TAG, BaseResolver.DEFAULT_MAPPING_TAG
# Plain scalars share these Tag objects, so a node's kind is a dictionary hit instead of str(Tag) per read.
_KIND_OF_TAG = {id(tag): str(tag)[len(_TAG) :] for candidates in _IMPLICIT.values() for tag, _ in candidates}
_KIND_OF_TAG[id(_STR)] = "str"


def _kind(node: ScalarNode) -> str | None:
    """The short yaml.org tag of a scalar (`int`, `bool`, ...), None for a custom tag."""
    kind = _KIND_OF_TAG.get(id(node.ctag))
    if kind is not None:
        return kind
    tag = node.tag
    return tag[len(_TAG) :] if tag.startswith(_TAG) else None


class NodeResolver:
    """What the composer asks while it builds nodes: tags of untagged nodes, and the check for duplicate keys.

    Tags follow ruamel's YAML 1.1 resolvers, looked up by first character (as ruamel does, without its
    per-scalar version lookup). The composer calls ``descend_resolver`` before every node; for the value
    of a mapping entry the index is the key node, so repeated keys are caught while composing, in document
    order, with no second walk over the tree. Call ``next_document`` between documents.
    """

    def __init__(self) -> None:
        self._keys: dict[MappingNode, dict[str, ScalarNode]] = {}

    def next_document(self) -> None:
        self._keys.clear()

    def resolve(self, kind: type, value: str | None, implicit: object) -> Tag:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, match in _IMPLICIT.get(value[:1], ()):
                    if match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, parent: Node | None, index: object) -> None:
        if index.__class__ is not ScalarNode or (index.ctag is not _STR and index.tag == MERGE_TAG):
            return  # a sequence item, a mapping key, a complex key or a merge key
        keys = self._keys.get(parent)
        if keys is None:
            self._keys[parent] = {index.value: index}
            return
        first = keys.setdefault(index.value, index)
        if first is not index:
            raise DuplicateKeyError(index.value, first, index)

    def ascend_resolver(self) -> None:
        pass

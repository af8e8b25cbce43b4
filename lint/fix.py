"""The token fix as text edits: automount off, one projected token volume, a mount in every container.

Edits are computed from node positions and applied to the original text; nothing is re-serialised.
The result is re-parsed and must equal the original data plus exactly the intended change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import yaml_nodes as yn
from .edits import Edit, OverlappingEdits, apply_edits
from .injection import injection_marker
from .layout import Style, block_mapping, block_sequence, detect_style, flow, flow_entry
from .load import compose
from .model import CONTAINER_GROUPS, DEFAULT_TABLE, TOKEN_PATH, Workload, expand_lists, summarise_object
from .workloads import WorkloadTable, node_at, pod_specs

DEFAULT_VOLUME_NAME = "k8stoken-sa-token"
DEFAULT_EXPIRATION = 86400
MIN_EXPIRATION, MAX_EXPIRATION = 600, 4294967296
AUTO_FLOOR, AUTO_CEILING = 3600, 86400
INJECTED_VOLUME_PREFIX = "kube-api-access-"
# Rules whose fix is the whole token fix; the others repair what is there (lint/repairs.py).
TOKEN_FIX_RULES = frozenset({"KT001", "KT002", "KT003", "KT015"})

# An alias right after an offset: only indicators, spaces and comments come between (a comment may hold a `*`).
_ALIAS = re.compile(r"(?:[\s:,?\[{-]|#[^\n]*)*(\*[^\s,\[\]{}]+)")
_ANCHOR = re.compile(r"&[^\s,\[\]{}]+[ \t]+")
_ENTRY_DASH = re.compile(r"^( *)-[ \t\r\n]", re.MULTILINE)


class FixError(Exception):
    """The fix could not be made safely; the file is left as it was."""


@dataclass(frozen=True, slots=True)
class FixSettings:
    expiration: int | None = DEFAULT_EXPIRATION  # None: cover each Job's deadline
    audience: str | None = None
    volume_name: str = DEFAULT_VOLUME_NAME


Target = tuple[int, int, tuple]  # document, object, pod spec path


@dataclass(slots=True)
class FileFix:
    new_text: str
    fixed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Pod specs fixed whose Job deadline still outlives the token written: their finding stays.
    outlived: set[Target] = field(default_factory=set)


def auto_expiration(workload: Workload) -> int:
    """A lifetime that covers a batch pod's deadline: whole hours, within [3600, 86400]."""
    deadline = workload.deadline
    if deadline is None:
        return AUTO_CEILING
    hours = math.ceil(deadline.value / 3600) * 3600
    return max(AUTO_FLOOR, min(AUTO_CEILING, hours))


def token_volume(name: str, expiration: int, audience: str | None) -> dict:
    token: dict = {"path": "token", "expirationSeconds": expiration}
    if audience:
        token["audience"] = audience
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": token},
                CA_SOURCE,
                NAMESPACE_SOURCE,
            ],
        },
    }


CA_SOURCE = {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
NAMESPACE_SOURCE = {
    "downwardAPI": {
        "items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]
    }
}


def token_mount(volume_name: str) -> dict:
    return {"name": volume_name, "mountPath": TOKEN_PATH, "readOnly": True}


class _Planner:
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
        depth = _depth(lines[0])
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
        anchor_pair = _own(mapping, after) if after else None
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
        depth = _depth(lines[0])
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
        own = _own(mapping, key)
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


def _depth(line: str) -> int:
    """Nesting of an inserted line: by column, and an indentless `- item` sits inside the key beside it."""
    body = line.lstrip()
    return 2 * (len(line) - len(body)) + body.startswith("-")


def _own(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for pair in mapping.value:
        if isinstance(pair[0], ScalarNode) and pair[0].tag != yn.MERGE_TAG and pair[0].value == key:
            return pair
    return None


def _volume_names(objects: list[Node], table: WorkloadTable) -> set[str | None]:
    """Volume names of every pod spec among the objects."""
    names: set[str | None] = set()
    for obj in objects:
        entry = table.lookup(yn.text(yn.get(obj, "apiVersion")), yn.text(yn.get(obj, "kind")) or "")
        if entry is not None:
            for _, spec in pod_specs(obj, entry):
                volumes = yn.dig(obj, *entry.volumes) if entry.volumes else yn.get(spec, "volumes")
                names |= {yn.text(yn.get(item, "name")) for item in yn.items(volumes)}
    return names


def _volume_name(taken: set[str | None], wanted: str) -> str:
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted}-{number}", number + 1
    return name


def _containers(pod_spec: Node) -> list[MappingNode]:
    return [
        item
        for group in CONTAINER_GROUPS
        for item in yn.items(yn.get(pod_spec, group))
        if isinstance(item, MappingNode)
    ]


@dataclass(frozen=True, slots=True)
class _Replay:
    """One intended change to one object, replayed on plain data to verify the edited text."""

    document: int
    index: int
    apply: Callable[[dict, set[int]], None]


def _data_at(obj: object, path: tuple[str | int, ...]) -> object:
    for step in path:
        obj = obj[step]
    return obj


def _replace_scalar(planner: _Planner, key: ScalarNode, value: Node, text: str) -> None:
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


def _plan_token_fix(planner: _Planner, obj: MappingNode, where: tuple, volume: dict, style_text: str) -> None:
    pod_spec = node_at(obj, where)
    if not planner.once(pod_spec):
        return
    style = detect_style(style_text, pod_spec, obj)
    automount = _own(pod_spec, "automountServiceAccountToken")
    if pod_spec.flow_style and not pod_spec.value:
        raise FixError("empty flow pod spec")
    if automount is not None and isinstance(automount[1], ScalarNode):
        _replace_scalar(planner, automount[0], automount[1], "false")
    else:
        # Last, beside the new volume: one contiguous hunk per object keeps the diff easy to review.
        planner.set_entry(pod_spec, "automountServiceAccountToken", False, style, after=None)
    if not _containers(pod_spec):
        raise FixError("no containers to mount the token in: automount stays as it is")
    planner.add_to_list(pod_spec, "volumes", volume, style)
    mount = token_mount(volume["name"])
    for container in _containers(pod_spec):
        if planner.once(container):
            planner.add_to_list(container, "volumeMounts", mount, style)


def _replay_token_fix(where: tuple, volume: dict, obj: dict, seen: set[int]) -> None:
    spec = _data_at(obj, where)
    if id(spec) in seen:
        return
    seen.add(id(spec))
    spec["automountServiceAccountToken"] = False
    _append(spec, "volumes", volume, seen)
    mount = token_mount(volume["name"])
    for group in CONTAINER_GROUPS:
        for container in spec.get(group) or []:
            if isinstance(container, dict) and id(container) not in seen:
                seen.add(id(container))
                _append(container, "volumeMounts", mount, seen)


def _append(mapping: dict, key: str, item: dict, seen: set[int]) -> None:
    current = mapping.get(key)
    if isinstance(current, list) and current:
        if id(current) not in seen:
            seen.add(id(current))
            current.append(item)
    else:
        mapping[key] = [item]


def _objects(data: object) -> list:
    if isinstance(data, dict):
        kind = data.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
            return [obj for item in data["items"] for obj in _objects(item)]
        return [data]
    return []


_CONSTRUCTION = YAML(typ="safe", pure=True)


class _ShapeConstructor(SafeConstructor):
    """Reads custom tags (`!env X`) by their node's shape: to the fixer they are data like any other."""


def _construct_by_shape(constructor: SafeConstructor, node: Node) -> object:
    if isinstance(node, ScalarNode):
        return constructor.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return constructor.construct_sequence(node, deep=True)
    return constructor.construct_mapping(node, deep=True)


_ShapeConstructor.add_constructor(None, _construct_by_shape)


def _load_data(text: str) -> list:
    """Plain data of every document, composed as lint composes (so lint's leniency applies here too)."""
    constructor = _ShapeConstructor(loader=_CONSTRUCTION)
    return [constructor.construct_document(node) for node in compose(text)]


def verify(old_text: str, new_text: str, changes: list[_Replay]) -> None:
    """The edited text must parse to the old data with exactly the intended changes applied."""
    try:
        original, expected, actual = _load_data(old_text), _load_data(old_text), _load_data(new_text)
    except Exception as error:  # any failure to read our own output means: do not write it
        raise FixError(f"the fixed text does not parse ({str(error).splitlines()[0]})") from None
    seen: set[int] = set()
    for change in changes:
        change.apply(_objects(expected[change.document])[change.index], seen)
    if expected != actual:
        raise FixError("the fixed text does not verify: its data differs from the intended change")
    fixed = {(change.document, change.index) for change in changes}
    for document, (before, after) in enumerate(zip(original, actual, strict=True)):
        for index, (old, new) in enumerate(zip(_objects(before), _objects(after), strict=True)):
            if (document, index) not in fixed and old != new:
                raise FixError(
                    f"object {index + 1} of document {document + 1} is not being fixed but shares anchored YAML "
                    "with one that is; fix them by hand"
                )


def fix_text(
    path: str,
    content: str,
    targets: dict[Target, set[str]],
    settings: FixSettings,
    table: WorkloadTable = DEFAULT_TABLE,
) -> FileFix:
    """Fix the target pod specs of one file's text, each for the rules named with it."""
    planner = _Planner(content)
    result = FileFix(content)
    changes: list[_Replay] = []
    for document_index, document in enumerate(compose(content)):
        objects = list(expand_lists(document))
        # Pod specs of one document can share containers through an alias: one volume name must fit them all.
        volume_name = _volume_name(_volume_names(objects, table), settings.volume_name)
        for index, obj in enumerate(objects):
            for summary in summarise_object(path, document_index, index, obj, table):
                codes = targets.get((document_index, index, getattr(summary, "pod_spec_path", ())))
                if not codes:
                    continue
                if codes & TOKEN_FIX_RULES and isinstance(summary, Workload):
                    _token_fix(planner, result, changes, summary, obj, volume_name, settings, content)
                else:
                    from .repairs import repair  # repairs builds on this module

                    changes += repair(planner, result, summary, obj, codes, settings, content)
    if not changes:
        return result
    try:
        new_text = apply_edits(content, planner.edits)
    except OverlappingEdits as error:
        raise FixError(str(error)) from None
    verify(content, new_text, changes)
    result.new_text = new_text
    return result


def _token_fix(planner, result, changes, workload: Workload, obj, volume_name, settings, content) -> None:
    if not workload.fixable:
        result.notes.append(
            f"{workload.path}:{workload.position.line}: manual fix required for {workload.label}: its pods are "
            "built by an operator whose own fields decide the token"
        )
        return
    marker = injection_marker(workload)
    if marker is not None:
        result.notes.append(
            f"{workload.path}:{workload.position.line}: skipped {workload.label}: marked for sidecar injection "
            f"({marker}); injected containers would not get the token mount"
        )
        return
    expiration = settings.expiration or auto_expiration(workload)
    volume = token_volume(volume_name, expiration, settings.audience)
    _plan_token_fix(planner, obj, workload.pod_spec_path, volume, content)
    changes.append(
        _Replay(workload.document, workload.index, partial(_replay_token_fix, workload.pod_spec_path, volume))
    )
    result.fixed.append(f"{workload.label} ({expiration}s token)")
    deadline = workload.deadline
    if deadline is not None and deadline.value > expiration:
        result.outlived.add((workload.document, workload.index, workload.pod_spec_path))
        result.notes.append(
            f"{workload.path}:{deadline.position.line}: {workload.label} may run {deadline.value}s, longer than "
            f"the {expiration}s token written: its client must reload the token"
        )

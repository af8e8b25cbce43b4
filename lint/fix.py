"""The token fix as text edits: automount off, one projected token volume, a mount in every container.

Edits are computed from node positions and applied to the original text; nothing is re-serialised.
The result is re-parsed and must equal the original data plus exactly the intended change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import yaml_nodes as yn
from .edits import OverlappingEdits, apply_edits
from .injection import injection_marker
from .layout import detect_style
from .load import compose
from .model import CONTAINER_GROUPS, DEFAULT_TABLE, Workload, expand_lists, summarise_object
from .planner import FixError, Planner, Replay, append_data, container_nodes, data_at, own_entry, replace_scalar
from .projection import DEFAULT_EXPIRATION, DEFAULT_VOLUME_NAME, auto_expiration, token_mount, token_volume
from .repairs import intended_automount, repair
from .workloads import WorkloadTable, node_at, pod_specs

# Rules whose fix is the whole token fix; the others repair what is there (lint/repairs.py).
TOKEN_FIX_RULES = frozenset({"KT001", "KT002", "KT003", "KT015"})


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
    lifetimes: bool = False  # a token lifetime was written (the cluster-extension note applies)


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


def _plan_token_fix(planner: Planner, obj: MappingNode, where: tuple, volume: dict, style_text: str) -> None:
    pod_spec = node_at(obj, where)
    if not planner.once(pod_spec):
        return
    style = detect_style(style_text, pod_spec, obj)
    automount = own_entry(pod_spec, "automountServiceAccountToken")
    if pod_spec.flow_style and not pod_spec.value:
        raise FixError("empty flow pod spec")
    if automount is not None and isinstance(automount[1], ScalarNode):
        replace_scalar(planner, automount[0], automount[1], "false")
    else:
        # Last, beside the new volume: one contiguous hunk per object keeps the diff easy to review.
        planner.set_entry(pod_spec, "automountServiceAccountToken", False, style, after=None)
    if not container_nodes(pod_spec):
        raise FixError("no containers to mount the token in: automount stays as it is")
    planner.add_to_list(pod_spec, "volumes", volume, style)
    mount = token_mount(volume["name"])
    for container in container_nodes(pod_spec):
        if planner.once(container):
            planner.add_to_list(container, "volumeMounts", mount, style)


def _replay_token_fix(where: tuple, volume: dict, obj: dict, seen: set[int]) -> None:
    spec = data_at(obj, where)
    if id(spec) in seen:
        return
    seen.add(id(spec))
    spec["automountServiceAccountToken"] = False
    append_data(spec, "volumes", volume, seen)
    mount = token_mount(volume["name"])
    for group in CONTAINER_GROUPS:
        for container in spec.get(group) or []:
            if isinstance(container, dict) and id(container) not in seen:
                seen.add(id(container))
                append_data(container, "volumeMounts", mount, seen)


def _objects(data: object) -> list:
    if isinstance(data, dict):
        kind = data.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
            return [obj for item in data["items"] for obj in _objects(item)]
        return [data]
    return []


def _plain(node: Node, memo: dict[int, object]) -> object:
    """A node as plain data, read as lint reads it (YAML 1.1, merge keys applied); a node reached twice
    through an alias is the same object both times, as the replayed changes expect."""
    if isinstance(node, ScalarNode):
        value = yn.scalar(node)
        return "NaN" if value != value else value  # NaN equals nothing, not even itself
    known = memo.get(id(node))
    if known is not None:
        return known
    if isinstance(node, SequenceNode):
        items: list = []
        memo[id(node)] = items
        items.extend(_plain(item, memo) for item in node.value)
        return items
    mapping: dict = {}
    memo[id(node)] = mapping
    for key, (_, value) in yn.entries(node).items():
        mapping[key] = _plain(value, memo)
    return mapping


def verify(old_documents: list[Node], new_text: str, changes: list[Replay], touched: set[int]) -> None:
    """The edited text must parse to the old data with exactly the intended changes applied.

    Only the documents an edit touched are compared: the others are the same bytes as before.
    """
    try:
        new_documents = compose(new_text)
    except Exception as error:  # any failure to read our own output means: do not write it
        raise FixError(f"the fixed text does not parse ({str(error).splitlines()[0]})") from None
    if len(new_documents) != len(old_documents):
        raise FixError("the fixed text does not verify: it has a different number of documents")
    try:
        for document in sorted(touched):
            original = _plain(old_documents[document], {})
            expected = _plain(old_documents[document], {})
            actual = _plain(new_documents[document], {})
            mine = [change for change in changes if change.document == document]
            _compare(document, original, expected, actual, mine)
    except (LookupError, TypeError, RecursionError):  # data the replay cannot follow (a key `5`, deep nesting)
        raise FixError("the fixed text does not verify: its data cannot be compared with the original") from None


def _compare(document: int, original: object, expected: object, actual: object, changes: list[Replay]) -> None:
    seen: set[int] = set()
    for change in changes:
        change.apply(_objects(expected)[change.index], seen)
    if expected != actual:
        raise FixError("the fixed text does not verify: its data differs from the intended change")
    fixed = {change.index for change in changes}
    for index, (old, new) in enumerate(zip(_objects(original), _objects(actual), strict=True)):
        if index not in fixed and old != new:
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
    planner = Planner(content)
    result = FileFix(content)
    changes: list[Replay] = []
    documents = compose(content)
    for document_index, document in enumerate(documents):
        objects = list(expand_lists(document))
        # Pod specs of one document can share containers through an alias: one volume name must fit them all.
        volume_name = _volume_name(_volume_names(objects, table), settings.volume_name)
        for index, obj in enumerate(objects):
            for summary in summarise_object(path, document_index, index, obj, table):
                codes = targets.get((document_index, index, getattr(summary, "pod_spec_path", ())))
                if not codes:
                    continue
                if isinstance(summary, Workload) and _meant_off(summary):
                    # `"false"` or `no` written by hand: the author opted out, so write a real false
                    # instead of giving the pod a token.
                    changes += repair(
                        planner, result, summary, obj, (codes - TOKEN_FIX_RULES) | {"KT011"}, settings, content
                    )
                elif codes & TOKEN_FIX_RULES and isinstance(summary, Workload):
                    _token_fix(planner, result, changes, summary, obj, volume_name, settings, content)
                else:
                    changes += repair(planner, result, summary, obj, codes, settings, content)
    if not changes:
        return result
    try:
        new_text = apply_edits(content, planner.edits)
    except OverlappingEdits as error:
        raise FixError(str(error)) from None
    verify(documents, new_text, changes, _touched(documents, planner.edits, changes))
    result.new_text = new_text
    return result


def _touched(documents: list[Node], edits: list, changes: list[Replay]) -> set[int]:
    """Documents whose text an edit falls in (bounds included), and those a change is meant for."""
    touched = {change.document for change in changes}
    for index, document in enumerate(documents):
        start, end = document.start_mark.index, document.end_mark.index
        if any(start <= edit.start <= end or start <= edit.end <= end for edit in edits):
            touched.add(index)
    return touched


def _meant_off(workload: Workload) -> bool:
    """An automount value the API server would not take as a boolean, but that says false."""
    field = workload.automount
    return field is not None and not isinstance(field.value, bool) and intended_automount(field.value) is False


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
        Replay(workload.document, workload.index, partial(_replay_token_fix, workload.pod_spec_path, volume))
    )
    result.fixed.append(f"{workload.label} ({expiration}s token)")
    result.lifetimes = True
    deadline = workload.deadline
    if deadline is not None and deadline.value > expiration:
        result.outlived.add((workload.document, workload.index, workload.pod_spec_path))
        result.notes.append(
            f"{workload.path}:{deadline.position.line}: {workload.label} may run {deadline.value}s, longer than "
            f"the {expiration}s token written: its client must reload the token"
        )

"""Repairs of hand-made token setups: complete a projection (KT006), mount it where it is missing
(KT007), write automount as a plain boolean (KT011), replace the magic 3607 lifetime (KT013).

Each repair plans text edits and returns the same change as data, for verification.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from ruamel.yaml.nodes import MappingNode, ScalarNode

from . import yaml_nodes as yn
from .layout import detect_style
from .model import TOKEN_PATH, KubeObject, Workload
from .planner import Planner, Replay, append_data, container_nodes, data_at, own_entry, replace_scalar
from .projection import CA_SOURCE, INJECTED_EXPIRATION, NAMESPACE_SOURCE, auto_expiration, token_mount
from .workloads import node_at

if TYPE_CHECKING:
    from .fix import FileFix, FixSettings


def repair(
    planner: Planner,
    result: FileFix,
    obj: KubeObject,
    node: MappingNode,
    codes: set[str],
    settings: FixSettings,
    text: str,
) -> list[Replay]:
    changes: list[Replay] = []
    where = obj.pod_spec_path if isinstance(obj, Workload) else ()
    target = node_at(node, where)
    if not isinstance(target, MappingNode):
        return changes
    if "KT011" in codes:
        plain = _plain_automount(planner, result, obj, target, where)
        if plain and _meaning(own_entry(target, "automountServiceAccountToken")[1]) is False:
            # Automount really turns off now: containers without the projection would be left with no token.
            codes = codes | {"KT007"}
        changes += plain
    if not isinstance(obj, Workload):
        return changes
    style = detect_style(text, target, node)
    volumes = _token_volumes(target)
    if "KT006" in codes:
        changes += _complete_projection(planner, result, obj, target, where, volumes, style)
    if "KT007" in codes and volumes:
        changes += _mount_everywhere(planner, result, obj, target, where, next(iter(volumes)), style)
    if "KT013" in codes:
        changes += _replace_magic_lifetime(planner, result, obj, target, where, settings)
    return changes


def _token_volumes(pod_spec: MappingNode) -> dict[str, tuple[int, MappingNode]]:
    """Projected volumes with a token source that some container mounts at the token path."""
    mounted = {
        yn.text(yn.get(mount, "name"))
        for container in container_nodes(pod_spec)
        for mount in yn.items(yn.get(container, "volumeMounts"))
        if (yn.text(yn.get(mount, "mountPath")) or "").rstrip("/") == TOKEN_PATH
    }
    found = {}
    for position, volume in enumerate(yn.items(yn.get(pod_spec, "volumes"))):
        name = yn.text(yn.get(volume, "name"))
        sources = yn.items(yn.dig(volume, "projected", "sources"))
        if name in mounted and any(yn.get(item, "serviceAccountToken") is not None for item in sources):
            found[name] = (position, volume)
    return found


def _plain_automount(planner, result, obj, mapping, where) -> list[Replay]:
    pair = own_entry(mapping, "automountServiceAccountToken")
    if pair is None or not isinstance(pair[1], ScalarNode):
        return []
    meaning = _meaning(pair[1])
    if meaning is None or (pair[1].style is None and pair[1].value in ("true", "false")):
        return []
    replace_scalar(planner, pair[0], pair[1], "true" if meaning else "false")
    result.fixed.append(f"{obj.label} (automountServiceAccountToken: {'true' if meaning else 'false'})")

    def apply(data: dict, seen: set[int]) -> None:
        data_at(data, where)["automountServiceAccountToken"] = meaning

    return [Replay(obj.document, obj.index, apply)]


_WORDS = {**dict.fromkeys(("true", "yes", "on", "y"), True), **dict.fromkeys(("false", "no", "off", "n"), False)}


def intended_automount(value: object) -> bool | None:
    """What an automount value was meant to say: a boolean, or a quoted `"false"`/`"no"` the API rejects."""
    return value if isinstance(value, bool) else _WORDS.get(str(value).strip().lower())


def _meaning(node: ScalarNode) -> bool | None:
    return intended_automount(yn.scalar(node))


def _complete_projection(planner, result, obj, pod_spec, where, volumes, style) -> list[Replay]:
    changes = []
    for name, (position, volume) in volumes.items():
        summary = next((v for v in obj.volumes if v.name == name), None)
        if summary is None:
            continue
        missing = [
            source
            for source, present in ((CA_SOURCE, summary.ca_cert), (NAMESPACE_SOURCE, summary.namespace_file))
            if not present
        ]
        sources = yn.dig(volume, "projected", "sources")
        if not missing or sources is None or not planner.once(sources):
            continue
        for source in missing:
            planner.append_item(sources, source, style)
        result.fixed.append(f"{obj.label} (completed projection {name})")

        def apply(data: dict, seen: set[int], position=position, missing=missing) -> None:
            data_at(data, where)["volumes"][position]["projected"]["sources"].extend(missing)

        changes.append(Replay(obj.document, obj.index, apply))
    return changes


def _mount_everywhere(planner, result, obj, pod_spec, where, volume_name, style) -> list[Replay]:
    mount = token_mount(volume_name)
    lacking = [
        (position, container)
        for position, container in enumerate(container_nodes(pod_spec))
        if not any(
            (yn.text(yn.get(m, "mountPath")) or "").rstrip("/") == TOKEN_PATH
            for m in yn.items(yn.get(container, "volumeMounts"))
        )
    ]
    for _, container in lacking:
        if planner.once(container):
            planner.add_to_list(container, "volumeMounts", mount, style)
    if not lacking:
        return []
    result.fixed.append(f"{obj.label} (mounted {volume_name} in {len(lacking)} more container(s))")
    positions = {position for position, _ in lacking}

    def apply(data: dict, seen: set[int]) -> None:
        spec = data_at(data, where)
        everyone = [
            c for group in ("initContainers", "containers") for c in spec.get(group) or [] if isinstance(c, dict)
        ]
        for position, container in enumerate(everyone):
            if position in positions and id(container) not in seen:
                seen.add(id(container))
                append_data(container, "volumeMounts", mount, seen)

    return [Replay(obj.document, obj.index, apply)]


def _replace_magic_lifetime(planner, result, obj: Workload, pod_spec, where, settings) -> list[Replay]:
    expiration = settings.expiration or auto_expiration(obj)
    changes = []
    for position, volume in enumerate(yn.items(yn.get(pod_spec, "volumes"))):
        for source_position, item in enumerate(yn.items(yn.dig(volume, "projected", "sources"))):
            token = yn.get(item, "serviceAccountToken")
            pair = own_entry(token, "expirationSeconds") if isinstance(token, MappingNode) else None
            if pair is None or yn.scalar(pair[1]) != INJECTED_EXPIRATION or not planner.once(pair[1]):
                continue
            replace_scalar(planner, pair[0], pair[1], str(expiration))
            result.fixed.append(f"{obj.label} (expirationSeconds 3607 -> {expiration})")
            result.lifetimes = True
            changes.append(
                Replay(obj.document, obj.index, partial(_set_expiration, where, position, source_position, expiration))
            )
    return changes


def _set_expiration(where, position, source_position, expiration, data: dict, seen: set[int]) -> None:
    sources = data_at(data, where)["volumes"][position]["projected"]["sources"]
    sources[source_position]["serviceAccountToken"]["expirationSeconds"] = expiration

"""Kubernetes objects and workloads, summarised from YAML nodes.

A summary keeps only what rules need, with positions, so that a run over tens of thousands
of manifests holds small records rather than node trees.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ruamel.yaml.nodes import MappingNode, Node

from . import yaml_nodes as yn
from .workloads import WorkloadKind, WorkloadTable, deadline_node, node_at, pod_specs, resolve
from .yaml_nodes import Position

DEFAULT_TABLE = WorkloadTable()


@lru_cache(maxsize=8)
def workload_table(extra: tuple[WorkloadKind, ...] = ()) -> WorkloadTable:
    """The built-in table, extended with the configuration's own kinds (which win over built-in ones)."""
    return DEFAULT_TABLE.extended(extra) if extra else DEFAULT_TABLE


_ORIGIN = Position(1, 1)

TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
CONTAINER_GROUPS = ("initContainers", "containers")


@dataclass(frozen=True, slots=True)
class Field:
    """A scalar as the cluster reads it, where it stands, and how it was spelled."""

    value: object
    position: Position
    spelling: str
    quoted: bool

    @classmethod
    def of(cls, node: Node | None) -> Field | None:
        if node is None or isinstance(node, MappingNode) or isinstance(node.value, list):
            return None
        return cls(yn.scalar(node), Position.of(node), node.value, bool(node.style))


@dataclass(slots=True)
class Mount:
    """A volumeMounts entry of a container."""

    volume: str | None
    path: str | None
    read_only: bool
    sub_path: str | None
    position: Position

    @property
    def at_token_path(self) -> bool:
        return isinstance(self.path, str) and self.path.rstrip("/") == TOKEN_PATH


@dataclass(slots=True)
class Container:
    """A container or initContainer with its mounts."""

    name: str | None
    group: str
    position: Position
    image: str | None
    mounts: list[Mount]
    # The first words of command and args: enough to tell what the container runs (`airflow scheduler`).
    command: str | None = None

    @property
    def token_mounts(self) -> list[Mount]:
        return [mount for mount in self.mounts if mount.at_token_path]


@dataclass(frozen=True, slots=True)
class PodUnit:
    """A part of a custom resource that runs pods with settings of its own (an Argo template)."""

    name: str | None
    position: Position
    # The automountServiceAccountToken that applies: the unit's own if it sets one, else the pod spec's.
    automount: Field | None
    executor_account: Field | None


@dataclass(slots=True)
class TokenSource:
    """A projected serviceAccountToken source."""

    path: str | None
    expiration: Field | None
    audience: Field | None
    position: Position


@dataclass(slots=True)
class Volume:
    """A pod volume: its source kind, and for a projection the token, ca.crt and namespace parts."""

    name: str | None
    position: Position
    source: str | None
    secret_name: str | None = None
    token: TokenSource | None = None
    ca_cert: bool = False
    namespace_file: bool = False


@dataclass(slots=True)
class KubeObject:
    """What every object shares: identity, where it is, and its metadata."""

    path: str
    document: int
    index: int
    kind: str
    api_version: str | None
    name: str | None
    namespace: str | None
    position: Position
    first_line: int
    last_line: int
    annotations: dict[str, object] = field(default_factory=dict)
    labels: dict[str, object] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name or '<unnamed>'}"


@dataclass(slots=True)
class ServiceAccount(KubeObject):
    """A ServiceAccount: its automount setting and the Secrets it lists."""

    automount: Field | None = None
    secrets: list[Field] = field(default_factory=list)
    # `automountServiceAccountToken` written under metadata: not a field there, so it is not honoured.
    misplaced_automount: Field | None = None


@dataclass(slots=True)
class Secret(KubeObject):
    """A Secret, kept for its type (legacy ServiceAccount token Secrets)."""

    type: Field | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """A subject of a role binding."""

    kind: str | None
    name: str | None
    namespace: str | None


@dataclass(slots=True)
class RoleBinding(KubeObject):
    """A RoleBinding or ClusterRoleBinding: who it grants a role to."""

    role: str | None = None
    subjects: list[Subject] = field(default_factory=list)


@dataclass(slots=True)
class Workload(KubeObject):
    """An object that carries a pod spec."""

    pod_spec_position: Position = _ORIGIN
    automount: Field | None = None
    service_account_name: Field | None = None
    service_account: Field | None = None
    containers: list[Container] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    job_deadline: Field | None = None
    pod_deadline: Field | None = None
    restart_policy: str | None = None
    template_annotations: dict[str, object] = field(default_factory=dict)
    template_labels: dict[str, object] = field(default_factory=dict)
    long_running_kind: bool = False
    batch_kind: bool = False
    # `automountServiceAccountToken` written in the object's or the pod template's metadata.
    misplaced_automount: Field | None = None
    # Where in the object this pod spec is (custom resources may hold several), who builds its
    # pods, and whether `fix` may write there.
    pod_spec_path: tuple[str | int, ...] = ()
    framework: str | None = None
    fixable: bool = True
    template: str | None = None
    # False where the "pod spec" is an operator's own shape (Argo, Spark): PodSpec-only rules stay quiet.
    podspec: bool = True
    # The parts that run pods with settings of their own (Argo templates), the ServiceAccount of the
    # framework's helper containers, and the framework's settings (Spark's sparkConf), keyed by name.
    units: tuple[PodUnit, ...] = ()
    executor_account: Field | None = None
    config: dict[str, Field] = field(default_factory=dict)

    @property
    def label(self) -> str:
        base = f"{self.kind}/{self.name or '<unnamed>'}"
        return f"{base} {self.template}" if self.template else base

    @property
    def service_account_ref(self) -> str:
        """The ServiceAccount the pod runs as: serviceAccountName, else the deprecated field."""
        for value in (self.service_account_name, self.service_account):
            if value is not None and isinstance(value.value, str) and value.value:
                return value.value
        return "default"

    @property
    def mounts_token_path(self) -> bool:
        return any(container.token_mounts for container in self.containers)

    @property
    def deadline(self) -> Field | None:
        """The shortest integer runtime limit that applies to its pods."""
        limits = [d for d in (self.job_deadline, self.pod_deadline) if d is not None and _is_int(d.value)]
        return min(limits, key=lambda d: d.value) if limits else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _string_map(node: Node | None) -> dict[str, object]:
    return {_shared(key): yn.scalar(value) for key, (_, value) in yn.entries(node).items()}


def _shared(text: str | None) -> str | None:
    """One copy of a word that thousands of objects repeat (kinds, API versions, namespaces, label keys).

    A run over tens of thousands of manifests keeps every summary, and each copy of `apps/v1` costs
    what the word costs.
    """
    return None if text is None else sys.intern(text)


def expand_lists(node: Node) -> Iterator[Node]:
    """The objects of a document, `kind: List` (and other *List kinds) expanded item by item."""
    kind = yn.text(yn.get(node, "kind"))
    listed = yn.get(node, "items")
    if kind and kind.endswith("List") and listed is not None and isinstance(listed.value, list):
        for item in yn.items(listed):
            yield from expand_lists(item)
    elif isinstance(node, MappingNode):
        yield node


def summarise(path: str, documents: list[Node], table: WorkloadTable = DEFAULT_TABLE) -> list[KubeObject]:
    objects: list[KubeObject] = []
    for document_index, document in enumerate(documents):
        for index, node in enumerate(expand_lists(document)):
            objects.extend(summarise_object(path, document_index, index, node, table))
    return objects


def summarise_object(
    path: str, document: int, index: int, node: MappingNode, table: WorkloadTable = DEFAULT_TABLE
) -> list[KubeObject]:
    """The summaries of one object: one per pod spec it carries, else one for the object itself."""
    pairs = yn.entries(node)
    kind_pair = pairs.get("kind")
    kind = yn.text(kind_pair[1]) if kind_pair else None
    if not kind:
        return []
    metadata = yn.get(node, "metadata")
    name = yn.text(yn.get(metadata, "name")) or yn.text(yn.get(metadata, "generateName"))
    end = node.end_mark
    # A `kind` merged in from another object stands in that object: point at this one's start instead.
    kind_key = kind_pair[0]
    inside = node.start_mark.index <= kind_key.start_mark.index < end.index
    common = dict(
        path=path,
        document=document,
        index=index,
        kind=_shared(kind),
        api_version=_shared(yn.text(yn.get(node, "apiVersion"))),
        name=name,
        namespace=_shared(yn.text(yn.get(metadata, "namespace"))),
        position=Position.of(kind_key if inside else node),
        first_line=node.start_mark.line + 1,
        last_line=max(end.line + (1 if end.column else 0), node.start_mark.line + 1),
        annotations=_string_map(yn.get(metadata, "annotations")),
        labels=_string_map(yn.get(metadata, "labels")),
    )
    workload_kind = table.lookup(common["api_version"], kind)
    if workload_kind is not None:
        located = list(pod_specs(node, workload_kind))
        return [_workload(common, node, metadata, spec, where, workload_kind, len(located)) for where, spec in located]
    return [_object(common, pairs, node, metadata)]


def _object(common: dict, pairs: dict, node: MappingNode, metadata: Node | None) -> KubeObject:
    kind = common["kind"]
    if kind == "ServiceAccount":
        secrets = [Field.of(yn.get(item, "name")) for item in yn.items(yn.get(node, "secrets"))]
        return ServiceAccount(
            **common,
            automount=_key_field(node, "automountServiceAccountToken"),
            secrets=[name for name in secrets if name is not None and isinstance(name.value, str)],
            misplaced_automount=_key_field(metadata, "automountServiceAccountToken"),
        )
    if kind == "Secret":
        return Secret(**common, type=Field.of(pairs.get("type", (None, None))[1]))
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        role_ref = yn.get(node, "roleRef")
        role_name = yn.text(yn.get(role_ref, "name"))
        return RoleBinding(
            **common,
            role=f"{yn.text(yn.get(role_ref, 'kind')) or 'Role'}/{role_name}" if role_name else None,
            subjects=[
                Subject(
                    yn.text(yn.get(item, "kind")), yn.text(yn.get(item, "name")), yn.text(yn.get(item, "namespace"))
                )
                for item in yn.items(yn.get(node, "subjects"))
            ],
        )
    return KubeObject(**common)


def _key_field(mapping: Node | None, key: str) -> Field | None:
    """A scalar entry, positioned at its key (where a finding about the entry itself points)."""
    pair = yn.entries(mapping).get(key)
    value = Field.of(pair[1]) if pair else None
    if value is None:
        return None
    return Field(value.value, Position.of(pair[0]), value.spelling, value.quoted)


def _workload(
    common: dict,
    node: MappingNode,
    metadata: Node | None,
    pod_spec: MappingNode,
    where: tuple[str | int, ...],
    kind: WorkloadKind,
    siblings: int,
) -> Workload:
    template_metadata = yn.get(node_at(node, where[:-1]), "metadata") if len(where) > 1 else None
    spec = yn.entries(pod_spec)

    def spec_field(key: str) -> Field | None:
        pair = spec.get(key)
        return Field.of(pair[1]) if pair else None

    misplaced = [_key_field(meta, "automountServiceAccountToken") for meta in (metadata, template_metadata)]
    automount, containers, units = _pods(pod_spec, spec, kind)
    return Workload(
        **common,
        pod_spec_position=Position.of(pod_spec),
        automount=automount,
        service_account_name=spec_field("serviceAccountName"),
        service_account=spec_field("serviceAccount"),
        containers=containers,
        volumes=[
            _volume(item)
            for item in yn.items(yn.dig(node, *kind.volumes) if kind.volumes else spec.get("volumes", (None, None))[1])
            if isinstance(item, MappingNode)
        ],
        job_deadline=Field.of(deadline_node(node, kind, where)),
        pod_deadline=spec_field("activeDeadlineSeconds"),
        restart_policy=yn.text(spec.get("restartPolicy", (None, None))[1]),
        template_annotations=_string_map(yn.get(template_metadata, "annotations")),
        template_labels=_string_map(yn.get(template_metadata, "labels")),
        long_running_kind=kind.long_running,
        batch_kind=kind.batch,
        misplaced_automount=next((field for field in misplaced if field is not None), None),
        pod_spec_path=where,
        framework=kind.framework,
        fixable=kind.fixable,
        template=_template_name(where) if siblings > 1 else None,
        podspec=kind.containers is None,
        units=units,
        executor_account=Field.of(yn.dig(pod_spec, *kind.executor_account)) if kind.executor_account else None,
        config=_config(node, kind),
    )


def _pods(
    pod_spec: MappingNode, spec: dict, kind: WorkloadKind
) -> tuple[Field | None, list[Container], tuple[PodUnit, ...]]:
    """The automount setting that decides, and the containers that get the token unless it is off.

    Where units (Argo templates) run the pods, a unit's own automountServiceAccountToken wins over the
    pod spec's: containers of units that turn it off never get the token, and a unit that turns it back
    on is what decides for the whole object.
    """
    automount = _key_field(pod_spec, "automountServiceAccountToken")
    if kind.units is None:
        return automount, _containers(pod_spec, spec, kind), ()
    default = _boolean(automount)
    containers: list[Container] = []
    units: list[PodUnit] = []
    deciding = automount
    for pattern in kind.units:
        for _, node in resolve(pod_spec, pattern):
            unit_containers = _containers(node, yn.entries(node), kind) if isinstance(node, MappingNode) else []
            if not unit_containers:  # steps, dag, suspend: the controller runs them without a pod
                continue
            own_setting = _key_field(node, "automountServiceAccountToken")
            unit = PodUnit(
                name=yn.text(yn.get(node, "name")),
                position=Position.of(node),
                automount=own_setting if _boolean(own_setting) is not None else automount,
                executor_account=Field.of(yn.dig(node, *kind.executor_account)) if kind.executor_account else None,
            )
            units.append(unit)
            if _boolean(unit.automount) is not False:
                containers += unit_containers
                if default is False and deciding is automount:
                    deciding = unit.automount
    return deciding, containers, tuple(units)


def _boolean(setting: Field | None) -> bool | None:
    return setting.value if setting is not None and isinstance(setting.value, bool) else None


def _config(node: MappingNode, kind: WorkloadKind) -> dict[str, Field]:
    """The framework's settings that are scalars, each positioned at its key."""
    if kind.config is None:
        return {}
    mapping = yn.dig(node, *kind.config)
    return {key: value for key in yn.entries(mapping) if (value := _key_field(mapping, key)) is not None}


def _containers(pod_spec: MappingNode, spec: dict, kind: WorkloadKind) -> list[Container]:
    if kind.containers is None:
        return [
            _container(item, group)
            for group in CONTAINER_GROUPS
            for item in yn.items(spec.get(group, (None, None))[1])
            if isinstance(item, MappingNode)
        ]
    return [
        _container(item, "initContainers" if "initContainers" in pattern else "containers")
        for pattern in kind.containers
        for _, item in resolve(pod_spec, pattern)
        if isinstance(item, MappingNode)
    ]


def _template_name(where: tuple[str | int, ...]) -> str:
    """`(rayClusterSpec.workerGroupSpecs[0])`: the part of a pod spec's path that tells it from its siblings."""
    steps = [step for step in where if step not in ("spec", "template")]
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return f"({text})" if text else ""


def _container(node: MappingNode, group: str) -> Container:
    mounts = [
        Mount(
            volume=yn.text(yn.get(item, "name")),
            path=yn.text(yn.get(item, "mountPath")),
            read_only=yn.scalar(yn.get(item, "readOnly")) is True,
            sub_path=yn.text(yn.get(item, "subPath")) or yn.text(yn.get(item, "subPathExpr")),
            position=Position.of(item),
        )
        for item in yn.items(yn.get(node, "volumeMounts"))
        if isinstance(item, MappingNode)
    ]
    return Container(
        name=yn.text(yn.get(node, "name")),
        group=group,
        position=Position.of(node),
        image=yn.text(yn.get(node, "image")),
        mounts=mounts,
        command=_command(node),
    )


COMMAND_WORDS = 8


def _command(node: MappingNode) -> str | None:
    words: list[str] = []
    for key in ("command", "args"):
        for item in yn.items(yn.get(node, key)):
            words += (yn.text(item) or "").split()
            if len(words) >= COMMAND_WORDS:
                return " ".join(words[:COMMAND_WORDS])
    return " ".join(words) or None


_NON_SOURCE_KEYS = {"name"}


def _volume(node: MappingNode) -> Volume:
    pairs = yn.entries(node)
    source = next((key for key in pairs if key not in _NON_SOURCE_KEYS), None)
    volume = Volume(name=yn.text(yn.get(node, "name")), position=Position.of(node), source=source)
    if source == "secret":
        volume.secret_name = yn.text(yn.dig(node, "secret", "secretName"))
    elif source == "projected":
        for item in yn.items(yn.dig(node, "projected", "sources")):
            _add_projected_source(volume, item)
    return volume


def _add_projected_source(volume: Volume, item: Node) -> None:
    token = yn.get(item, "serviceAccountToken")
    if isinstance(token, MappingNode) and volume.token is None:
        volume.token = TokenSource(
            path=yn.text(yn.get(token, "path")),
            expiration=Field.of(yn.get(token, "expirationSeconds")),
            audience=Field.of(yn.get(token, "audience")),
            position=Position.of(token),
        )
    config_map = yn.get(item, "configMap")
    if yn.text(yn.get(config_map, "name")) == "kube-root-ca.crt":
        # Without `items` every key is projected under its own name, and ca.crt is the only key.
        if yn.is_null(yn.get(config_map, "items")):
            volume.ca_cert = True
        for entry in yn.items(yn.get(config_map, "items")):
            if yn.text(yn.get(entry, "key")) == "ca.crt" and yn.text(yn.get(entry, "path")) == "ca.crt":
                volume.ca_cert = True
    for entry in yn.items(yn.dig(item, "downwardAPI", "items")):
        if (
            yn.text(yn.get(entry, "path")) == "namespace"
            and yn.text(yn.dig(entry, "fieldRef", "fieldPath")) == "metadata.namespace"
        ):
            volume.namespace_file = True

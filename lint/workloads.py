"""Which kinds carry pod specs, where, and how long their pods live: one table, built-ins and CRDs.

Paths are mapping keys from the object's root; ``*`` stands for every item of a list (or every
value of a mapping, as in Kubeflow's ``pytorchReplicaSpecs``). A deadline path may use the same
``*`` positions as the pod spec path: it is then read for the same item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from . import yaml_nodes as yn

Path = tuple[str, ...]
ANY_GROUP = None


@dataclass(frozen=True, slots=True)
class WorkloadKind:
    kind: str
    group: str | None
    pod_specs: tuple[Path, ...]
    deadline: Path | None = None
    long_running: bool = False
    batch: bool = False
    fixable: bool = True
    framework: str | None = None
    # Where containers are, relative to the pod spec (or to each unit), when it is not a PodSpec
    # (Argo templates, a Spark driver that is its own container); None: initContainers and containers.
    containers: tuple[Path, ...] | None = None
    # Where volumes are, from the object's root, when not in the pod spec (Spark's spec.volumes).
    volumes: Path | None = None
    # Parts of the pod spec that each become pods with their own automountServiceAccountToken and
    # executor ServiceAccount (Argo templates); containers are then found in each of them.
    units: tuple[Path, ...] | None = None
    # The ServiceAccount of the framework's own helper containers, relative to the pod spec and to each unit.
    executor_account: Path | None = None
    # A mapping of framework settings, from the object's root (Spark's sparkConf).
    config: Path | None = None


def _path(text: str) -> Path:
    return tuple(part for part in text.replace("[*]", ".*").split(".") if part)


def kind(name: str, group: str | None, pod_specs: str, deadline: str | None = None, **traits) -> WorkloadKind:
    for key in ("containers", "units"):
        if isinstance(traits.get(key), str):
            traits[key] = tuple(_path(p) for p in traits[key].split(","))
    for key in ("volumes", "executor_account", "config"):
        if isinstance(traits.get(key), str):
            traits[key] = _path(traits[key])
    return WorkloadKind(
        name, group, tuple(_path(p) for p in pod_specs.split(",")), _path(deadline) if deadline else None, **traits
    )


# Every Argo template that runs a pod, inline ones included, and where its containers are. A resource or
# data template runs the executor alone: its pod has no container of the user's, but it has the token.
ARGO_UNITS = "templates[*],templates[*].dag.tasks[*].inline,templates[*].steps[*][*].inline"
ARGO_CONTAINERS = "initContainers[*],container,script,containerSet.containers[*],sidecars[*],resource,data"
ARGO_TRAITS = dict(
    batch=True,
    fixable=False,
    framework="Argo Workflows",
    units=ARGO_UNITS,
    containers=ARGO_CONTAINERS,
    executor_account="executor.serviceAccountName",
)


TEMPLATE = "spec.template.spec"
BUILTIN_KINDS = (
    kind("Pod", ANY_GROUP, "spec"),
    kind("PodTemplate", ANY_GROUP, "template.spec"),
    kind("Deployment", ANY_GROUP, TEMPLATE, long_running=True),
    kind("StatefulSet", ANY_GROUP, TEMPLATE, long_running=True),
    kind("DaemonSet", ANY_GROUP, TEMPLATE, long_running=True),
    kind("ReplicaSet", ANY_GROUP, TEMPLATE, long_running=True),
    kind("ReplicationController", ANY_GROUP, TEMPLATE, long_running=True),
    kind("Job", ANY_GROUP, TEMPLATE, "spec.activeDeadlineSeconds", batch=True),
    kind(
        "CronJob",
        ANY_GROUP,
        "spec.jobTemplate.spec.template.spec",
        "spec.jobTemplate.spec.activeDeadlineSeconds",
        batch=True,
    ),
)
CUSTOM_KINDS = (
    kind("DeploymentConfig", "apps.openshift.io", TEMPLATE, long_running=True, framework="OpenShift"),
    kind("DeploymentConfig", "", TEMPLATE, long_running=True, framework="OpenShift"),
    kind("Rollout", "argoproj.io", TEMPLATE, long_running=True, framework="Argo Rollouts"),
    kind(
        "RayJob",
        "ray.io",
        "spec.rayClusterSpec.headGroupSpec.template.spec,spec.rayClusterSpec.workerGroupSpecs[*].template.spec,"
        "spec.submitterPodTemplate.spec",
        "spec.activeDeadlineSeconds",
        batch=True,
        framework="KubeRay",
    ),
    kind(
        "RayCronJob",
        "ray.io",
        "spec.jobTemplate.rayClusterSpec.headGroupSpec.template.spec,"
        "spec.jobTemplate.rayClusterSpec.workerGroupSpecs[*].template.spec,spec.jobTemplate.submitterPodTemplate.spec",
        "spec.jobTemplate.activeDeadlineSeconds",
        batch=True,
        framework="KubeRay",
    ),
    kind(
        "RayCluster",
        "ray.io",
        "spec.headGroupSpec.template.spec,spec.workerGroupSpecs[*].template.spec",
        long_running=True,
        framework="KubeRay",
    ),
    kind(
        "RayService",
        "ray.io",
        "spec.rayClusterConfig.headGroupSpec.template.spec,spec.rayClusterConfig.workerGroupSpecs[*].template.spec",
        long_running=True,
        framework="KubeRay",
    ),
    kind(
        "JobSet",
        "jobset.x-k8s.io",
        "spec.replicatedJobs[*].template.spec.template.spec",
        "spec.replicatedJobs[*].template.spec.activeDeadlineSeconds",
        batch=True,
        framework="JobSet",
    ),
    *(
        kind(name, "argoproj.io", "spec", "spec.activeDeadlineSeconds", **ARGO_TRAITS)
        for name in ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate")
    ),
    kind("CronWorkflow", "argoproj.io", "spec.workflowSpec", "spec.workflowSpec.activeDeadlineSeconds", **ARGO_TRAITS),
    kind(
        "SparkApplication",
        "sparkoperator.k8s.io",
        "spec.driver",
        long_running=True,
        fixable=False,
        framework="Spark",
        containers=((),),
        volumes="spec.volumes",
        config="spec.sparkConf",
    ),
    kind(
        "ScheduledSparkApplication",
        "sparkoperator.k8s.io",
        "spec.template.driver",
        long_running=True,
        fixable=False,
        framework="Spark",
        containers=((),),
        volumes="spec.template.volumes",
        config="spec.template.sparkConf",
    ),
    kind("Job", "batch.volcano.sh", "spec.tasks[*].template.spec", batch=True, framework="Volcano"),
    kind(
        "ScaledJob",
        "keda.sh",
        "spec.jobTargetRef.template.spec",
        "spec.jobTargetRef.activeDeadlineSeconds",
        batch=True,
        framework="KEDA",
    ),
    *(
        kind(
            name,
            "kubeflow.org",
            f"spec.{field}.*.template.spec",
            "spec.runPolicy.activeDeadlineSeconds",
            batch=True,
            framework="Kubeflow",
        )
        for name, field in (
            ("PyTorchJob", "pytorchReplicaSpecs"),
            ("TFJob", "tfReplicaSpecs"),
            ("MPIJob", "mpiReplicaSpecs"),
            ("XGBoostJob", "xgbReplicaSpecs"),
            ("PaddleJob", "paddleReplicaSpecs"),
            ("JAXJob", "jaxReplicaSpecs"),
        )
    ),
)


class WorkloadTable:
    """Looks up the entry for an object's apiVersion and kind; a group-specific entry wins."""

    def __init__(self, kinds: tuple[WorkloadKind, ...] = BUILTIN_KINDS + CUSTOM_KINDS) -> None:
        self._by_kind: dict[str, list[WorkloadKind]] = {}
        for entry in kinds:
            self._by_kind.setdefault(entry.kind, []).append(entry)

    def extended(self, extra: tuple[WorkloadKind, ...]) -> WorkloadTable:
        table = WorkloadTable(())
        table._by_kind = {name: list(entries) for name, entries in self._by_kind.items()}
        for entry in extra:
            table._by_kind.setdefault(entry.kind, []).insert(0, entry)
        return table

    def lookup(self, api_version: str | None, kind_name: str) -> WorkloadKind | None:
        entries = self._by_kind.get(kind_name)
        if not entries:
            return None
        group = _group(api_version)
        exact = next((entry for entry in entries if entry.group is not None and entry.group == group), None)
        if exact is not None:
            return exact
        return next((entry for entry in entries if entry.group is ANY_GROUP and not _claimed(entries, group)), None)


def _group(api_version: str | None) -> str | None:
    if not api_version:
        return None
    return api_version.split("/")[0] if "/" in api_version else ""


def _claimed(entries: list[WorkloadKind], group: str | None) -> bool:
    """A group that belongs to a custom resource of the same kind name (Volcano's Job) is not built-in."""
    return group is not None and any(entry.group == group for entry in entries)


Located = tuple[tuple[str | int, ...], Node]


def resolve(node: Node, path: Path, prefix: tuple[str | int, ...] = ()) -> Iterator[Located]:
    """Every node at a path, with the concrete path (list indices and mapping keys) that leads to it."""
    if not path:
        yield prefix, node
        return
    head, rest = path[0], path[1:]
    if head != "*":
        child = yn.get(node, head)
        if child is not None:
            yield from resolve(child, rest, (*prefix, head))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from resolve(item, rest, (*prefix, index))
    elif isinstance(node, MappingNode):
        for name, (_, value) in yn.entries(node).items():
            yield from resolve(value, rest, (*prefix, name))


def pod_specs(node: Node, entry: WorkloadKind) -> Iterator[Located]:
    for pattern in entry.pod_specs:
        for located, spec in resolve(node, pattern):
            if isinstance(spec, MappingNode):
                yield located, spec


def deadline_node(node: Node, entry: WorkloadKind, pod_spec_path: tuple[str | int, ...]) -> Node | None:
    """The deadline that applies to one pod spec, binding `*` to the same items as its path."""
    if entry.deadline is None:
        return None
    bound = [
        step for step, pattern in zip(pod_spec_path, _pattern_of(entry, pod_spec_path), strict=False) if pattern == "*"
    ]
    concrete = []
    for step in entry.deadline:
        if step == "*":
            if not bound:
                return None
            concrete.append(bound.pop(0))
        else:
            concrete.append(step)
    return node_at(node, tuple(concrete))


def _pattern_of(entry: WorkloadKind, concrete: tuple[str | int, ...]) -> Path:
    for pattern in entry.pod_specs:
        if len(pattern) == len(concrete) and all(p in ("*", c) for p, c in zip(pattern, concrete, strict=True)):
            return pattern
    return ()


def node_at(node: Node | None, path: tuple[str | int, ...]) -> Node | None:
    """The node at a concrete path (list indices and mapping keys), as resolve() gives them."""
    for step in path:
        if isinstance(step, int):
            node = node.value[step] if isinstance(node, SequenceNode) and step < len(node.value) else None
        else:
            node = yn.get(node, step)
        if node is None:
            return None
    return node


_CORE_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d+)?")


def group_of(api_version: str) -> str:
    """`example.com/v1` and `example.com` name the group example.com; a bare `v1` is the core group."""
    if "/" in api_version:
        return api_version.split("/")[0]
    return "" if _CORE_VERSION.fullmatch(api_version) else api_version


def custom_kind(
    api_version: str,
    name: str,
    pod_specs: list[str],
    deadline: str | None = None,
    fixable: bool = True,
    long_running: bool = False,
    batch: bool = False,
) -> WorkloadKind:
    """A user's own kind, from a `workloads:` entry of the configuration file."""
    return WorkloadKind(
        name,
        group_of(api_version),
        tuple(_path(path) for path in pod_specs),
        _path(deadline) if deadline else None,
        long_running=long_running,
        batch=batch,
        fixable=fixable,
    )

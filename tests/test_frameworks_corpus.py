"""Frameworks on real manifests: every Spark, Argo (Workflow family), KubeRay, JobSet and Volcano object of the
corpus whose pods receive the auto-mounted token gets a KT001-KT003 finding inside the object, and none whose
pods do not receive it gets one.

Which pods receive the token is decided by a model written here from each framework's own rules (where its pod
specs are; Argo's per-template automount and ServiceAccount), on top of the audit tools' model of token mounting
(../shared/tools/k8s_model.py), not by k8stoken's workload table. A sample of each framework is pinned with its
exact rule and line. Needs ../shared beside the project (absent on most machines: then it skips); one lint run
per repository, as a user would lint it, so ServiceAccounts resolve within the repository.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SHARED
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

CORPUS = SHARED / "corpus"
MODEL = SHARED / "tools" / "k8s_model.py"
TOKEN_RULES = ("KT001", "KT002", "KT003")

pytestmark = pytest.mark.skipif(
    not (CORPUS.is_dir() and MODEL.is_file()), reason="../shared/corpus and ../shared/tools are absent"
)

ARGO_KINDS = {"Workflow", "CronWorkflow", "WorkflowTemplate", "ClusterWorkflowTemplate"}
RAY_CLUSTERS = {  # kind -> where the RayCluster spec is
    "RayCluster": ("spec",),
    "RayJob": ("spec", "rayClusterSpec"),
    "RayService": ("spec", "rayClusterConfig"),
    "RayCronJob": ("spec", "jobTemplate", "rayClusterSpec"),
}
SUBMITTERS = {"RayJob": ("spec", "submitterPodTemplate"), "RayCronJob": ("spec", "jobTemplate", "submitterPodTemplate")}
ARGO_POD_TEMPLATES = ("container", "script", "containerSet", "resource", "data")


def _model():
    spec = importlib.util.spec_from_file_location("k8s_model", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dig(node: object, *keys: str) -> object:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def listed(node: object) -> list:
    return [item for item in node if isinstance(item, dict)] if isinstance(node, list) else []


def framework(obj: dict) -> str | None:
    kind, group = obj.get("kind"), str(obj.get("apiVersion", "")).split("/")[0]
    if kind in ("SparkApplication", "ScheduledSparkApplication") and group == "sparkoperator.k8s.io":
        return "Spark"
    if kind in ARGO_KINDS and group == "argoproj.io":
        return "Argo"
    if kind in RAY_CLUSTERS and group == "ray.io":
        return "KubeRay"
    if kind == "JobSet" and group == "jobset.x-k8s.io":
        return "JobSet"
    if kind == "Job" and group == "batch.volcano.sh":
        return "Volcano"
    return None


def pods(obj: dict, name: str) -> list[dict]:
    """The pod specs the framework's operator builds from the object, as plain PodSpec-shaped dicts."""
    if name == "Spark":
        driver = (
            dig(obj, "spec", "driver") if obj["kind"] == "SparkApplication" else dig(obj, "spec", "template", "driver")
        )
        return [{"serviceAccountName": driver.get("serviceAccount"), "containers": [driver]}] if driver else []
    if name == "Argo":
        return _argo_pods(dig(obj, "spec", "workflowSpec") if obj["kind"] == "CronWorkflow" else dig(obj, "spec"))
    if name == "KubeRay":
        cluster = dig(obj, *RAY_CLUSTERS[obj["kind"]])
        groups = [dig(cluster, "headGroupSpec"), *listed(dig(cluster, "workerGroupSpecs"))]
        specs = [dig(group, "template", "spec") for group in groups]
        specs.append(dig(obj, *SUBMITTERS.get(obj["kind"], ("-",)), "spec"))
        return [spec for spec in specs if isinstance(spec, dict)]
    if name == "JobSet":
        jobs = listed(dig(obj, "spec", "replicatedJobs"))
        return [spec for job in jobs if isinstance(spec := dig(job, "template", "spec", "template", "spec"), dict)]
    tasks = listed(dig(obj, "spec", "tasks"))
    return [spec for task in tasks if isinstance(spec := dig(task, "template", "spec"), dict)]


def _argo_pods(spec: object) -> list[dict]:
    """Argo runs a pod for every container, script, containerSet, resource and data template (inline ones too);
    a template's automountServiceAccountToken and serviceAccountName win over the workflow's."""
    if not isinstance(spec, dict):
        return []
    templates = listed(spec.get("templates"))
    for template in list(templates):
        tasks = listed(dig(template, "dag", "tasks"))
        steps = [step for group in dig(template, "steps") or [] for step in listed(group)]
        templates += [inline for task in tasks + steps if isinstance(inline := task.get("inline"), dict)]
    result = []
    for template in templates:
        if not any(isinstance(template.get(key), dict) for key in ARGO_POD_TEMPLATES):
            continue
        containers = [template[key] for key in ("container", "script", "resource", "data") if key in template]
        containers += listed(dig(template, "containerSet", "containers"))
        containers += listed(template.get("initContainers")) + listed(template.get("sidecars"))
        own = template.get("automountServiceAccountToken")
        pod = {
            "serviceAccountName": template.get("serviceAccountName") or spec.get("serviceAccountName"),
            "containers": containers,
        }
        automount = own if isinstance(own, bool) else spec.get("automountServiceAccountToken")
        if automount is not None:
            pod["automountServiceAccountToken"] = automount
        result.append(pod)
    return result


def objects_with_lines(text: str) -> list[tuple[dict, int, int]]:
    loader = YAML(typ="safe", pure=True)
    constructor = SafeConstructor(loader=loader)
    found = []
    for node in loader.compose_all(text):
        if node is None:
            continue
        data = constructor.construct_document(node)
        if isinstance(data, dict):
            end = node.end_mark.line + (1 if node.end_mark.column else 0)
            found.append((data, node.start_mark.line + 1, max(end, node.start_mark.line + 1)))
    return found


def framework_files() -> dict[str, list[Path]]:
    """Files of the corpus whose kinds include a framework's, by repository folder (from INDEX.tsv)."""
    kinds = {"SparkApplication", "ScheduledSparkApplication", "JobSet", "Job", *ARGO_KINDS, *RAY_CLUSTERS}
    by_repository = defaultdict(list)
    for row in (CORPUS / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        path, listed_kinds = row.split("\t")[:2]
        if kinds & set(listed_kinds.split(",")) and not path.startswith("_"):
            by_repository[path.split("/")[0]].append(CORPUS / path)
    return by_repository


@pytest.fixture(scope="module")
def corpus_run():
    """(verdicts, findings): per framework object, whether its pods receive the token; token findings by file."""
    from click.testing import CliRunner
    from k8stoken.cli import main

    model = _model()
    verdicts = []  # (framework, relative path, first line, last line, receives)
    findings: dict[str, list[dict]] = defaultdict(list)
    runner = CliRunner()
    for repository, files in sorted(framework_files().items()):
        everything = [path for path in (CORPUS / repository).rglob("*") if path.suffix in (".yaml", ".yml")]
        parsed = {}
        for path in everything:
            try:
                parsed[path] = objects_with_lines(path.read_text(encoding="utf-8-sig"))
            except Exception:  # unreadable YAML: lint reports it; the model has nothing to say
                continue
        accounts = model.service_account_index(obj for objects in parsed.values() for obj, _, _ in objects)
        for path in files:
            for obj, first, last in parsed.get(path, []):
                name = framework(obj)
                if name is None:
                    continue
                answers = [_receives(model, obj, pod, accounts) for pod in pods(obj, name)]
                receives = True if True in answers else (False if None not in answers else None)
                verdicts.append((name, path.relative_to(CORPUS).as_posix(), first, last, receives))
        result = runner.invoke(
            main,
            ["lint", "--select", ",".join(TOKEN_RULES), "--format", "json", f"../shared/corpus/{repository}"],
            catch_exceptions=False,
        )
        for finding in json.loads(result.stdout)["findings"]:
            findings[finding["path"].removeprefix("../shared/corpus/")].append(finding)
    return verdicts, findings


def _receives(model, obj: dict, pod: dict, accounts) -> bool | None:
    if not model.containers(pod):
        return False
    automount = model.effective_automount(obj, pod, accounts)
    return None if automount is None else automount and not model.mounts_sa_path(pod)


@pytest.fixture(autouse=True)
def _project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


@pytest.mark.parametrize("name", ["Spark", "Argo", "KubeRay", "JobSet", "Volcano"])
def test_every_framework_object_that_receives_the_token_gets_a_finding(corpus_run, name: str) -> None:
    verdicts, findings = corpus_run
    receiving = [(path, first, last) for fw, path, first, last, receives in verdicts if fw == name and receives]
    assert len(receiving) >= 5, f"too few {name} objects that receive the token to say anything: {receiving}"
    missed = [
        f"{path}:{first}"
        for path, first, last in receiving
        if not any(first <= finding["line"] <= last for finding in findings[path])
    ]
    assert missed == [], f"{len(missed)} of {len(receiving)} {name} objects without a KT001-KT003 finding"


@pytest.mark.parametrize("name", ["Spark", "Argo", "KubeRay", "JobSet", "Volcano"])
def test_no_framework_object_without_the_token_gets_a_finding(corpus_run, name: str) -> None:
    verdicts, findings = corpus_run
    quiet = [(path, first, last) for fw, path, first, last, receives in verdicts if fw == name and receives is False]
    flagged = [
        f"{path}:{first}"
        for path, first, last in quiet
        if any(first <= finding["line"] <= last for finding in findings[path])
    ]
    assert flagged == []


# Read by hand: the rule and the line (the pod spec's first key, or its automountServiceAccountToken) of a few
# objects of each framework.
PINNED = {
    "Spark": [
        "kubeflow__spark-operator/config/samples/v1beta2_sparkapplication.yaml:17: KT003",
        "kubeflow__spark-operator/config/samples/v1beta2_scheduledsparkapplication.yaml:22: KT003",
        "kubeflow__spark-operator/examples/spark-pi-configmap.yaml:36: KT003",
        "volcano-sh__volcano/example/kubecon-2019-china/spark-sample/spark-pi.yaml:39: KT003",
    ],
    "Argo": [
        "argoproj__argo-workflows/examples/archive-location.yaml:6: KT002",
        "argoproj__argo-workflows/examples/timeouts-workflow.yaml:18: KT001",  # activeDeadlineSeconds: 30
        "argoproj__argo-workflows/examples/cron-workflow-multiple-schedules.yaml:16: KT002",  # in workflowSpec
        "argoproj__argo-workflows/examples/cluster-workflow-template/clustertemplates.yaml:21: KT002",
        "argoproj__argo-workflows/examples/k8s-jobs.yaml:19: KT002",  # resource templates only
        "volcano-sh__volcano/example/integrations/argo/20-job-DAG.yaml:6: KT002",
    ],
    "KubeRay": [
        "ray-project__kuberay/historyserver/config/raycluster-aliyunoss.yaml:35: KT003",  # head
        "ray-project__kuberay/historyserver/config/raycluster-aliyunoss.yaml:113: KT003",  # worker group
        "ray-project__kuberay/historyserver/config/rayservice.yaml:29: KT003",
        "ray-project__kuberay/ray-operator/config/samples/ray-cronjob-timezone.sample.yaml:62: KT002",
        "ray-project__kuberay/ray-operator/config/samples/ray-job.resources.yaml:35: KT002",
    ],
    "JobSet": [
        "kubernetes-sigs__jobset/site/static/examples/failure-policy/failjobset-action.yaml:24: KT002",
        "kubernetes-sigs__jobset/site/static/examples/failure-policy/failjobset-action.yaml:54: KT002",
        "kubernetes-sigs__jobset/site/static/examples/volume-claim-policy/single-pvc.yaml:38: KT002",
        "kubernetes-sigs__kueue/site/static/examples/jobs/sample-jobset-tas-combined.yaml:24: KT002",
    ],
    "Volcano": [
        "volcano-sh__volcano/example/MindSpore-example/mindspore_cpu/mindspore-cpu.yaml:22: KT002",
        "volcano-sh__volcano/example/integrations/mpi/mpi-example.yaml:19: KT002",
        "volcano-sh__volcano/example/kubecon-2019-china/tf-sample/tf-example.yaml:53: KT002",
    ],
}


@pytest.mark.parametrize(("name", "expected"), [(name, line) for name, lines in PINNED.items() for line in lines])
def test_a_sample_of_each_framework_keeps_its_rule_and_line(corpus_run, name: str, expected: str) -> None:
    _, findings = corpus_run
    path, line, rule = expected.replace(": ", ":").split(":")
    observed = {(finding["line"], finding["rule"]) for finding in findings[path]}
    assert (int(line), rule) in observed, f"{expected}: observed {sorted(observed)}"

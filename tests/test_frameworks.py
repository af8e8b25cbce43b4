"""Frameworks and custom resources: Spark, Argo Workflows, Airflow, KubeRay, JobSet, Volcano, Kubeflow, KEDA, and
kinds named in the configuration's `workloads:`.

Every `tests/fixtures/frameworks/NAME.yaml` is linted (all rules) in a folder of its own, with
`NAME.k8stoken.yaml` as the configuration when there is one, and must give exactly the lines of
`NAME.expected`. Where `fix` may write, the fixed file must equal `NAME.fixed.yaml`; where the pods are built
by an operator from a shape of its own (Argo, Spark), `fix` leaves the file byte for byte and says a manual
fix is required.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT_ROOT, SHARED
from k8stoken.config import ConfigError, load
from k8stoken.engine import parse
from k8stoken.frameworks import airflow_component
from k8stoken.load import Source
from k8stoken.model import Container, Workload
from k8stoken.workloads import group_of
from ruamel.yaml import YAML

FRAMEWORKS = FIXTURES / "frameworks"
INPUTS = sorted(path for path in FRAMEWORKS.glob("*.yaml") if not path.name.endswith((".fixed.yaml", ".k8stoken.yaml")))
FIXABLE = sorted(path for path in INPUTS if path.with_name(f"{path.stem}.fixed.yaml").exists())
LEFT_AS_IS = sorted(path for path in INPUTS if path not in FIXABLE)
TOKEN_RULES = {"KT001", "KT002", "KT003"}
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
VOLUME = "k8stoken-sa-token"


def project(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the fixture and its configuration; the working folder for the run."""
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    config = source.with_name(f"{source.stem}.k8stoken.yaml")
    if config.exists():
        shutil.copyfile(config, tmp_path / ".k8stoken.yaml")
    monkeypatch.chdir(tmp_path)
    return target


def finding_lines(report: dict) -> list[str]:
    return [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] ({f['kind']}/{f['name'] or '<unnamed>'})"
        for f in report["findings"]
    ]


def expected_lines(source: Path) -> list[str]:
    lines = source.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_lint_matches_golden(cli, tmp_path, monkeypatch, source: Path) -> None:
    project(tmp_path, source, monkeypatch)
    result = cli("lint", "--format", "json", source.name)
    report = result.json()
    assert report["errors"] == []
    assert finding_lines(report) == expected_lines(source)
    assert result.exit_code == (1 if report["findings"] else 0)


@pytest.mark.parametrize("source", INPUTS, ids=lambda path: path.stem)
def test_exactly_one_token_finding_per_pod_spec_that_receives_the_token(cli, tmp_path, monkeypatch, source) -> None:
    project(tmp_path, source, monkeypatch)
    report = cli("lint", "--format", "json", "--select", "KT001,KT002,KT003", source.name).json()
    places = [(f["line"], f["column"]) for f in report["findings"]]
    assert len(places) == len(set(places))
    assert len(places) == sum(1 for line in expected_lines(source) if line.split()[1] in TOKEN_RULES)


@pytest.mark.parametrize("source", FIXABLE, ids=lambda path: path.stem)
def test_fix_matches_golden_and_a_second_run_changes_nothing(cli, tmp_path, monkeypatch, source: Path) -> None:
    target = project(tmp_path, source, monkeypatch)
    result = cli("fix", source.name)
    assert "error" not in result.stderr
    assert target.read_bytes() == source.with_name(f"{source.stem}.fixed.yaml").read_bytes()
    again = cli("fix", source.name)
    assert "fixed" not in again.stdout
    assert target.read_bytes() == source.with_name(f"{source.stem}.fixed.yaml").read_bytes()
    remaining = cli("lint", "--format", "json", "--select", "KT001,KT002,KT003", source.name).json()
    assert all(finding["fixable"] is False for finding in remaining["findings"])  # a kind with fixable: false


def load_documents(path: Path) -> list:
    loader = YAML(typ="safe", pure=True)
    loader.version = (1, 1)
    return list(loader.load_all(path.read_text(encoding="utf-8")))


def strip_token_fix(node: object, fixed: list) -> object:
    """The data without the token fix, checking each fixed pod spec on the way (collected in `fixed`)."""
    if isinstance(node, list):
        return [strip_token_fix(item, fixed) for item in node]
    if not isinstance(node, dict):
        return node
    volumes = node.get("volumes") if isinstance(node.get("volumes"), list) else []
    ours = [volume for volume in volumes if isinstance(volume, dict) and volume.get("name") == VOLUME]
    if ours:
        assert len(ours) == 1 and node.get("automountServiceAccountToken") is False
        sources = ours[0]["projected"]["sources"]
        assert sources[0]["serviceAccountToken"]["path"] == "token"
        assert sources[1]["configMap"]["name"] == "kube-root-ca.crt"
        assert sources[2]["downwardAPI"]["items"][0]["path"] == "namespace"
        containers = [c for group in ("initContainers", "containers") for c in node.get(group) or []]
        assert containers and all(
            {"name": VOLUME, "mountPath": TOKEN_PATH, "readOnly": True} in container["volumeMounts"]
            for container in containers
        )
        fixed.append(node)
        node = {key: value for key, value in node.items() if key != "automountServiceAccountToken"}
        node["volumes"] = [volume for volume in volumes if volume not in ours]
        if not node["volumes"]:
            del node["volumes"]
        for group in ("initContainers", "containers"):
            if group in node:
                node[group] = [_unmounted(container) for container in node[group]]
    return {key: strip_token_fix(value, fixed) for key, value in node.items()}


def _unmounted(container: dict) -> dict:
    mounts = [mount for mount in container["volumeMounts"] if mount.get("name") != VOLUME]
    rest = {key: value for key, value in container.items() if key != "volumeMounts"}
    return {**rest, "volumeMounts": mounts} if mounts else rest


@pytest.mark.parametrize("source", FIXABLE, ids=lambda path: path.stem)
def test_fix_golden_is_the_input_plus_one_token_fix_per_token_finding(source: Path) -> None:
    fixed: list = []
    stripped = strip_token_fix(load_documents(source.with_name(f"{source.stem}.fixed.yaml")), fixed)
    assert stripped == load_documents(source)
    token_findings = [line for line in expected_lines(source) if line.split()[1] in TOKEN_RULES]
    fixable_findings = [line for line in token_findings if "ModelServer/" not in line]  # fixable: false
    assert len(fixed) == len(fixable_findings)


@pytest.mark.parametrize("source", LEFT_AS_IS, ids=lambda path: path.stem)
def test_fix_leaves_operator_shapes_byte_identical_with_a_manual_note(cli, tmp_path, monkeypatch, source) -> None:
    target = project(tmp_path, source, monkeypatch)
    report = cli("lint", "--format", "json", source.name).json()
    token = [f for f in report["findings"] if f["rule"] in TOKEN_RULES]
    assert token and all(f["fixable"] is False for f in token)
    assert all("k8stoken fix cannot write here" in f["message"] for f in token)
    result = cli("fix", source.name)
    assert result.exit_code == 1  # the findings remain
    assert target.read_bytes() == source.read_bytes()
    for finding in token:
        label = f"{finding['kind']}/{finding['name']}"
        assert f"{source.name}:{finding['line']}: manual fix required for {label}" in result.stderr
    assert "k8stoken explain frameworks" in result.stderr


def test_b11_argo_workflow_is_report_only(cli, tmp_path, monkeypatch) -> None:
    target = project(tmp_path, FRAMEWORKS / "argo.yaml", monkeypatch)
    report = cli("lint", "--format", "json", "argo.yaml").json()
    (finding,) = [f for f in report["findings"] if f["name"] == "long-etl-"]
    assert (finding["rule"], finding["fixable"]) == ("KT002", False)
    assert "k8stoken fix --expiration auto" not in finding["message"]
    result = cli("fix", "--diff", "argo.yaml")
    assert result.stdout == ""
    assert "manual fix required for Workflow/long-etl-" in result.stderr
    assert target.read_bytes() == (FRAMEWORKS / "argo.yaml").read_bytes()


@pytest.mark.skipif(not (SHARED / "cases" / "B11.yaml").is_file(), reason="../shared/cases is not available")
def test_b11_shared_case_is_flagged_report_only_and_fix_leaves_it_byte_identical(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    report = cli("lint", "--select", "KT001,KT002,KT003", "--format", "json", "../shared/cases/B11.yaml").json()
    (finding,) = report["findings"]
    assert (finding["kind"], finding["name"], finding["fixable"]) == ("Workflow", "long-etl-", False)
    assert "Argo Workflows" in finding["message"]
    target = tmp_path / "B11.yaml"
    shutil.copyfile(SHARED / "cases" / "B11.yaml", target)
    result = cli("fix", str(target))
    assert result.exit_code == 1
    assert target.read_bytes() == (SHARED / "cases" / "B11.yaml").read_bytes()
    assert f"{target}:6: manual fix required for Workflow/long-etl-" in result.stderr


@pytest.mark.skipif(not (SHARED / "cases" / "B12.yaml").is_file(), reason="../shared/cases is not available")
def test_b12_airflow_worker_gets_the_airflow_specific_message(cli, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    report = cli("lint", "--select", "KT001,KT002,KT003", "--format", "json", "../shared/cases/B12.yaml").json()
    (finding,) = report["findings"]
    assert "Airflow worker: long tasks, sensors and the KubernetesPodOperator poll the API" in finding["message"]
    assert "apache-airflow-providers-cncf-kubernetes 9.0.0" in finding["message"]
    assert "kubeconfig exec or OAuth credentials, which no manifest change fixes" in finding["message"]


MESSAGES = [
    ("spark.yaml", "SparkApplication/nightly-aggregation", "KT003", "the driver watches its executor pods"),
    ("argo.yaml", "Workflow/long-etl-", "KT002", "the executor's wait container calls the API for every step"),
    ("argo.yaml", "CronWorkflow/cleanup", "KT001", "the controller builds the pods"),
    ("ray.yaml", "RayJob/fine-tune", "KT002", "the head (with the autoscaler) and the job submitter talk to the API"),
    ("ray.yaml", "RayCluster/notebooks", "KT003", "KubeRay:"),
    ("jobset.yaml", "JobSet/pretrain", "KT002", "JobSet: training and batch pods"),
    ("volcano.yaml", "Job/mpi-train", "KT002", "Volcano: training and batch pods"),
    ("kubeflow-keda.yaml", "PyTorchJob/bert", "KT002", "Kubeflow: training pods"),
    ("kubeflow-keda.yaml", "ScaledJob/queue-consumer", "KT002", "KEDA: the jobs a ScaledJob starts"),
    ("airflow.yaml", "Deployment/airflow-scheduler", "KT003", "Airflow scheduler: long tasks, sensors"),
    ("airflow.yaml", "StatefulSet/airflow-worker", "KT003", "Airflow worker: long tasks, sensors"),
    ("airflow-pod-template.yaml", "Pod/placeholder-name", "KT001", "Airflow KubernetesExecutor pod template:"),
]


@pytest.mark.parametrize(("name", "label", "rule", "fragment"), MESSAGES, ids=[m[1] for m in MESSAGES])
def test_the_message_names_the_framework(cli, tmp_path, monkeypatch, name, label, rule, fragment) -> None:
    project(tmp_path, FRAMEWORKS / name, monkeypatch)
    report = cli("lint", "--format", "json", "--select", rule, name).json()
    messages = [f["message"] for f in report["findings"] if f"{f['kind']}/{f['name']}" == label]
    assert messages and all(fragment in message for message in messages)


def test_airflow_messages_name_the_provider_version_and_the_credentials_no_manifest_fixes(cli) -> None:
    report = cli("lint", "--format", "json", str(FRAMEWORKS / "airflow.yaml")).json()
    airflow = [f for f in report["findings"] if f["name"] in ("airflow-scheduler", "airflow-worker")]
    assert len(airflow) == 2
    for finding in airflow:
        assert "KubernetesPodOperator" in finding["message"]
        assert "apache-airflow-providers-cncf-kubernetes 9.0.0 or later" in finding["message"]
        assert "kubeconfig exec or OAuth credentials, which no manifest change fixes" in finding["message"]
    (exporter,) = [f for f in report["findings"] if f["name"] == "airflow-exporter"]
    assert "KubernetesPodOperator" not in exporter["message"]


def workloads(manifest: str) -> list[Workload]:
    parsed = parse(Source("inline.yaml"), textwrap.dedent(manifest).encode())
    assert parsed.problem is None, parsed.problem
    return [obj for obj in parsed.objects if isinstance(obj, Workload)]


def pod(kind: str = "Deployment", *containers: Container) -> Workload:
    (workload,) = workloads(
        f"""\
        apiVersion: apps/v1
        kind: {kind}
        metadata: {{name: x}}
        spec:
          template:
            spec:
              containers: []
        """
        if kind != "Pod"
        else "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n"
    )
    workload.containers = list(containers)
    return workload


def container(name: str = "app", image: str | None = None, command: str | None = None) -> Container:
    return Container(name=name, group="containers", position=None, image=image, mounts=[], command=command)


@pytest.mark.parametrize(
    ("image", "command", "component"),
    [
        ("apache/airflow:2.9.3", None, "Airflow"),
        ("docker.io/apache/airflow:slim-2.9.3-python3.12", "bash -c exec airflow triggerer", "Airflow triggerer"),
        ("registry.example.com:5000/airflow@sha256:0123", None, "Airflow"),
        ("bitnami/airflow:2", "airflow webserver", "Airflow webserver"),
        ("registry.example.com/tasks:1", "airflow dag-processor", "Airflow dag-processor"),
        ("registry.example.com/airflow:2.6.3", "celery worker", "Airflow worker"),  # B12
        ("registry.example.com/airflow-exporter:1", None, None),
        ("registry.example.com/worker:1", "celery worker", None),  # Celery, not Airflow
        ("registry.example.com/tools:1", "echo airflow", None),
    ],
)
def test_airflow_is_recognised_by_image_and_command(image: str, command: str | None, component: str | None) -> None:
    assert airflow_component(pod("Deployment", container(image=image, command=command))) == component


def test_a_container_named_base_marks_an_executor_pod_template_only_in_a_pod() -> None:
    base = container("base", "registry.example.com/tasks:1")
    assert airflow_component(pod("Pod", base)) == "Airflow KubernetesExecutor pod template"
    assert airflow_component(pod("Deployment", base)) is None


def test_the_command_summary_keeps_the_first_words_of_command_and_args() -> None:
    (deployment,) = workloads(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: w}
        spec:
          template:
            spec:
              containers:
              - name: w
                image: apache/airflow:2.9.3
                command: [/usr/bin/dumb-init, --]
                args: [bash, -c, "exec airflow celery worker --queues default,high --concurrency 16"]
        """
    )
    assert deployment.containers[0].command == "/usr/bin/dumb-init -- bash -c exec airflow celery worker"


ARGO = """\
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {generateName: units-}
    spec:
      entrypoint: main
      %s
      templates:
      - name: main
        dag:
          tasks:
          - name: inline
            inline:
              container: {image: registry.example.com/a:1}
          - name: ref
            templateRef: {name: elsewhere, template: x}
      - name: quiet
        automountServiceAccountToken: false
        script: {image: registry.example.com/b:1, source: "true"}
      - name: apply
        resource: {action: apply, manifest: "kind: ConfigMap"}
      - name: pause
        suspend: {}
"""


def test_argo_templates_that_run_pods_are_units_with_their_own_automount() -> None:
    (workflow,) = workloads(ARGO % "serviceAccountName: runner")
    assert [unit.name for unit in workflow.units] == ["quiet", "apply", None]
    # the template that turns the token off contributes no container that receives it
    assert [c.group for c in workflow.containers] == ["containers", "containers"]
    assert workflow.automount is None


def test_an_argo_template_that_turns_the_token_back_on_decides_for_the_workflow(cli) -> None:
    manifest = textwrap.dedent(ARGO % "automountServiceAccountToken: false").replace(
        "  - name: apply\n", "  - name: apply\n    automountServiceAccountToken: true\n"
    )
    (workflow,) = workloads(manifest)
    assert workflow.automount.value is True and workflow.automount.position.line == 20
    report = cli("lint", "--format", "json", "-", input=manifest).json()
    # KT016: the spec's false breaks the inline template, the template's own false breaks itself
    assert sorted((f["rule"], f["line"]) for f in report["findings"]) == [("KT002", 20), ("KT016", 6), ("KT016", 17)]


def test_a_workflow_that_only_references_templates_has_no_pods_of_its_own() -> None:
    (workflow,) = workloads(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        metadata: {generateName: ref-}
        spec:
          workflowTemplateRef: {name: quiet}
        """
    )
    assert workflow.containers == [] and workflow.units == ()


def test_a_raycronjob_carries_the_rayjob_pod_templates_and_deadline(cli) -> None:
    manifest = """\
        apiVersion: ray.io/v1
        kind: RayCronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 1 * * *"
          jobTemplate:
            entrypoint: python job.py
            activeDeadlineSeconds: 7200
            rayClusterSpec:
              headGroupSpec:
                template:
                  spec:
                    containers: [{name: head, image: rayproject/ray:2.9.0}]
              workerGroupSpecs:
              - groupName: w
                template:
                  spec:
                    containers: [{name: worker, image: rayproject/ray:2.9.0}]
    """
    report = cli("lint", "--format", "json", "--select", "KT002", "-", input=textwrap.dedent(manifest)).json()
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("KT002", 13), ("KT002", 18)]
    assert all("may run for 7200s" in f["message"] for f in report["findings"])


# -- workloads: in the configuration ------------------------------------------------------------------------------


def test_a_custom_kind_is_not_a_workload_without_the_configuration(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(FRAMEWORKS / "custom-crd.yaml", tmp_path / "custom-crd.yaml")
    report = cli("lint", "--format", "json", "custom-crd.yaml").json()
    assert (report["findings"], report["summary"]["workloads"]) == ([], 0)


def test_custom_kinds_reach_the_worker_processes(cli, tmp_path, monkeypatch) -> None:
    from k8stoken import engine

    pools = []
    real_context = engine._pool_context
    monkeypatch.setattr(engine, "_pool_context", lambda: pools.append(1) or real_context())
    project(tmp_path, FRAMEWORKS / "custom-crd.yaml", monkeypatch)
    files = 3 * engine.MIN_FILES_PER_WORKER
    for number in range(files):
        shutil.copyfile(tmp_path / "custom-crd.yaml", tmp_path / f"copy-{number:02d}.yaml")
    one = cli("lint", "--format", "json", "--jobs", "1", ".")
    assert not pools
    two = cli("lint", "--format", "json", "--jobs", "2", ".")
    assert pools
    assert (two.exit_code, two.stdout) == (one.exit_code, one.stdout)
    assert len(two.json()["findings"]) == 3 * (files + 1)


def test_custom_kinds_in_pyproject_toml(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(FRAMEWORKS / "custom-crd.yaml", tmp_path / "custom-crd.yaml")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [[tool.k8stoken.workloads]]
            apiVersion = "serving.example.com/v1beta1"
            kind = "ModelServer"
            podSpecs = ["spec.predictor.podSpec"]
            longRunning = true
            """
        )
    )
    report = cli("lint", "--format", "json", "custom-crd.yaml").json()
    assert finding_lines(report) == ["custom-crd.yaml:40:7: KT003 [warning] (ModelServer/resnet-serving)"]
    assert report["findings"][0]["fixable"] is True


@pytest.mark.parametrize(
    ("api_version", "group"),
    [
        ("training.example.com/v1", "training.example.com"),
        ("training.example.com", "training.example.com"),
        ("v1", ""),
        ("v1beta2", ""),
        ("apps/v1", "apps"),
    ],
)
def test_an_api_version_names_a_group(api_version: str, group: str) -> None:
    assert group_of(api_version) == group


def test_a_group_without_a_version_matches_every_version(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".k8stoken.yaml").write_text(
        "workloads:\n- apiVersion: serving.example.com\n  kind: ModelServer\n  podSpecs:\n  - spec.predictor.podSpec\n"
    )
    manifest = (FRAMEWORKS / "custom-crd.yaml").read_text().split("---\n")[1]
    for version in ("v1", "v1beta1"):
        text = manifest.replace("serving.example.com/v1beta1", f"serving.example.com/{version}")
        report = cli("lint", "--format", "json", "-", input=text).json()
        assert [f["rule"] for f in report["findings"]] == ["KT003"]


INVALID_WORKLOADS = [
    (
        "workloads:\n- kind: Trainer\n  podSpecs: [spec]\n",
        ".k8stoken.yaml:2:3: workloads[0]: missing apiVersion; expected a mapping with apiVersion, kind and podSpecs, "
        "and optionally deadline, fixable, longRunning and batch",
    ),
    (
        "workloads:\n- apiVersion: x.example.com/v1\n  kind: Trainer\n  podSpecs: []\n",
        ".k8stoken.yaml:4:13: workloads[0].podSpecs: a list is not allowed; expected a non-empty list of paths to pod "
        "specs, such as [spec.workers[*].template.spec]",
    ),
    (
        "workloads:\n- apiVersion: x.example.com/v1\n  kind: Trainer\n  podSpecs:\n  - spec..template\n",
        '.k8stoken.yaml:5:5: workloads[0].podSpecs[0]: "spec..template" is not allowed; expected a path of keys such '
        "as spec.workers[*].template.spec, where [*] stands for every item",
    ),
    (
        "workloads:\n- apiVersion: X.Example/v1\n  kind: Trainer\n  podSpecs: [spec]\n",
        '.k8stoken.yaml:2:15: workloads[0].apiVersion: "X.Example/v1" is not allowed; expected an API group '
        "(training.example.com) or group/version (training.example.com/v1)",
    ),
    (
        "workloads:\n- apiVersion: x.example.com/v1\n  kind: Trainer\n  podSpecs: [spec]\n  batch: yes please\n",
        '.k8stoken.yaml:5:10: workloads[0].batch: "yes please" is not allowed; expected true or false',
    ),
    (
        "workloads:\n- apiVersion: x.example.com/v1\n  kind: Trainer\n  podSpecs: [spec]\n  podSpec: [spec]\n",
        ".k8stoken.yaml:5:3: workloads[0].podSpec: unknown key; expected one of apiVersion, batch, deadline, fixable, "
        "kind, longRunning, podSpecs",
    ),
    (
        # two problems: the first in the file is reported
        "workloads:\n- apiVersion: x.example.com/v1\n  kind: Trainer\n  podSpec: [spec]\n",
        ".k8stoken.yaml:2:3: workloads[0]: missing podSpecs; expected a mapping with apiVersion, kind and podSpecs, "
        "and optionally deadline, fixable, longRunning and batch",
    ),
    (
        "workloads:\n  apiVersion: x.example.com/v1\n",
        ".k8stoken.yaml:2:3: workloads: a mapping is not allowed; expected a list of custom resources that carry pod "
        "specs",
    ),
]


@pytest.mark.parametrize(("text", "message"), INVALID_WORKLOADS)
def test_an_invalid_workloads_entry_is_one_line_naming_file_and_key(cli, tmp_path, monkeypatch, text, message) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".k8stoken.yaml").write_text(text)
    for command in ("lint", "fix"):
        result = cli(command, ".")
        assert result.exit_code == 2
        assert result.stderr == f"Error: {message}\n"


# -- explain frameworks -------------------------------------------------------------------------------------------


def test_explain_frameworks_covers_every_framework(cli) -> None:
    result = cli("explain", "frameworks")
    assert result.exit_code == 0
    for name in (
        "Spark",
        "Argo Workflows",
        "Airflow",
        "KubeRay",
        "JobSet",
        "Volcano",
        "KEDA",
        "Kubeflow",
        "DeploymentConfig",
        "Rollouts",
        "workloads:",
    ):
        assert name in result.stdout
    assert cli("explain", "Frameworks").stdout == result.stdout


def test_the_configuration_example_in_explain_frameworks_is_valid(cli, tmp_path: Path) -> None:
    text = cli("explain", "frameworks").stdout
    example = text.split("    workloads:\n", 1)[1].split("\n\n", 1)[0]
    (tmp_path / ".k8stoken.yaml").write_text("workloads:\n" + textwrap.dedent(example) + "\n")
    try:
        config = load(cwd=tmp_path)
    except ConfigError as error:  # pragma: no cover - the message is the failure
        pytest.fail(str(error))
    (trainer,) = config.settings.workloads
    assert (trainer.group, trainer.kind, trainer.batch) == ("training.example.com", "Trainer", True)
    assert trainer.pod_specs == (("spec", "workers", "*", "template", "spec"), ("spec", "launcher", "template", "spec"))


def test_the_readme_example_for_custom_resources_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Frameworks and custom resources\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / ".k8stoken.yaml").write_text(example)
    (trainer,) = load(cwd=tmp_path).settings.workloads
    assert (trainer.group, trainer.kind, trainer.deadline) == (
        "training.example.com",
        "Trainer",
        ("spec", "activeDeadlineSeconds"),
    )


def test_explain_kt016_has_every_section_and_its_failing_example_fires(cli) -> None:
    text = cli("explain", "KT016").stdout
    assert text.startswith("KT016 framework-token-settings [error] (not fixable automatically)")
    for section in ("Why:", "Fails:", "Passes:", "How to fix:"):
        assert f"\n{section}" in text
    example = textwrap.dedent(text.split("Fails:\n\n", 1)[1].split("\n\n", 1)[0])
    report = cli("lint", "--format", "json", "-", input=example).json()
    assert {finding["rule"] for finding in report["findings"]} == {"KT016", "KT003"}

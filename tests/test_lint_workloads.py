"""Workload model and token reliance: lifetimes, deadlines, positions, ServiceAccount resolution."""

from __future__ import annotations

import textwrap

import pytest
from conftest import FIXTURES
from k8stoken.engine import parse
from k8stoken.load import Source
from k8stoken.model import Workload

TOKEN_RULES = ("--select", "KT001,KT002,KT003")


def lint_yaml(cli, manifest: str, *args: str) -> list[dict]:
    """The token-reliance findings for a manifest given on standard input."""
    result = cli("lint", *TOKEN_RULES, "--format", "json", *args, "-", input=textwrap.dedent(manifest))
    assert result.exit_code in (0, 1), result.stderr
    return result.json()["findings"]


def workloads(manifest: str) -> list[Workload]:
    parsed = parse(Source("inline.yaml"), textwrap.dedent(manifest).encode())
    assert parsed.problem is None, parsed.problem
    return [obj for obj in parsed.objects if isinstance(obj, Workload)]


JOB = """\
    apiVersion: batch/v1
    kind: Job
    metadata: {{name: {name}}}
    spec:
      {job_deadline}
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: app
            image: registry.example.com/app:1
"""


def job(deadline: str, name: str = "task") -> str:
    return JOB.format(name=name, job_deadline=f"activeDeadlineSeconds: {deadline}" if deadline else "parallelism: 1")


@pytest.mark.parametrize(
    ("deadline", "threshold", "rule", "severity"),
    [
        ("3000", None, "KT001", "warning"),
        ("3001", None, "KT002", "error"),
        ("3600", "3600", "KT001", "warning"),
        ("3601", "3600", "KT002", "error"),
    ],
)
def test_a_deadline_is_long_running_only_above_the_threshold(cli, deadline, threshold, rule, severity) -> None:
    args = ("--long-running-threshold", threshold) if threshold else ()
    (finding,) = lint_yaml(cli, job(deadline), *args)
    assert (finding["rule"], finding["severity"]) == (rule, severity)


def test_an_empty_deadline_is_no_deadline_not_an_invalid_one(cli) -> None:
    # `activeDeadlineSeconds:` with nothing after it (an unset Helm value) is null, which the API server
    # treats as absent: the Job has no runtime limit.
    (finding,) = lint_yaml(cli, job(" "))
    assert (finding["rule"], finding["severity"]) == ("KT002", "warning")
    assert "has no activeDeadlineSeconds" in finding["message"]


def test_a_null_pod_deadline_leaves_a_restart_always_pod_long_running(cli) -> None:
    manifest = """\
        apiVersion: v1
        kind: Pod
        metadata: {name: poller}
        spec:
          activeDeadlineSeconds: ~
          containers:
          - name: poller
            image: registry.example.com/poller:1
    """
    (finding,) = lint_yaml(cli, manifest)
    assert finding["rule"] == "KT003"


def test_a_quoted_deadline_is_reported_as_invalid_not_as_long_running(cli) -> None:
    (finding,) = lint_yaml(cli, job('"7200"'))
    assert (finding["rule"], finding["severity"]) == ("KT002", "error")
    assert "'7200'" in finding["message"] and "not an integer" in finding["message"]
    assert "rejects" in finding["message"]
    assert "may run for" not in finding["message"]


def test_an_underscored_deadline_is_read_as_a_number_and_is_long_running(cli) -> None:
    (finding,) = lint_yaml(cli, job("86_400"))
    assert (finding["rule"], finding["severity"]) == ("KT002", "error")
    assert "may run for 86400s" in finding["message"]


def test_a_pod_spec_shared_through_an_alias_is_reported_inside_the_object_that_uses_it(cli) -> None:
    manifest = """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: blue}
          spec:
            template: &pod
              spec:
                automountServiceAccountToken: true
                containers:
                - name: web
                  image: registry.example.com/web:1
        - apiVersion: apps/v1
          kind: Deployment
          metadata: {name: green}
          spec:
            template: *pod
    """
    findings = {finding["name"]: finding for finding in lint_yaml(cli, manifest)}
    assert (findings["blue"]["line"], findings["blue"]["column"]) == (10, 9)
    # green spans lines 14-18; its own kind line is the most useful place inside it
    assert (findings["green"]["line"], findings["green"]["column"]) == (15, 3)


def test_merge_keys_give_the_second_container_the_first_ones_fields() -> None:
    manifest = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: anchors}
        spec:
          template:
            spec:
              containers:
              - &base
                name: foo
                image: registry.example.com/app:1
              - <<: *base
                name: bar
    """
    (deployment,) = workloads(manifest)
    assert [(c.name, c.image) for c in deployment.containers] == [
        ("foo", "registry.example.com/app:1"),
        ("bar", "registry.example.com/app:1"),
    ]


def test_init_containers_are_part_of_the_pod_and_ephemeral_containers_are_not() -> None:
    manifest = """\
        apiVersion: v1
        kind: Pod
        metadata: {name: debug-me}
        spec:
          initContainers:
          - name: init
            image: registry.example.com/init:1
          containers:
          - name: app
            image: registry.example.com/app:1
          ephemeralContainers:
          - name: debugger
            image: registry.example.com/busybox:1
    """
    (pod,) = workloads(manifest)
    assert [(c.group, c.name) for c in pod.containers] == [("initContainers", "init"), ("containers", "app")]


def test_one_finding_per_workload_however_many_containers(cli) -> None:
    manifest = """\
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: ci-controller}
        spec:
          template:
            spec:
              initContainers:
              - name: init
                image: registry.example.com/init:1
              containers:
              - name: controller
                image: registry.example.com/controller:1
              - name: reload
                image: registry.example.com/reload:1
    """
    (finding,) = lint_yaml(cli, manifest)
    assert (finding["rule"], finding["kind"], finding["name"]) == ("KT003", "StatefulSet", "ci-controller")


def findings_by_name(cli, *paths: str) -> dict[str, dict]:
    result = cli("lint", *TOKEN_RULES, "--format", "json", *paths)
    return {finding["name"]: finding for finding in result.json()["findings"]}


def test_messages_say_which_serviceaccount_decided(cli, monkeypatch) -> None:
    monkeypatch.chdir(FIXTURES / "lint")
    found = findings_by_name(cli, "sa-precedence", "namespaces")
    assert "the pod spec sets automountServiceAccountToken: true" in found["pod-true-sa-false"]["message"]
    assert (
        'ServiceAccount "sa-true" (sa-precedence/serviceaccounts.yaml:3) sets automountServiceAccountToken: true'
        in found["pod-absent-sa-true"]["message"]
    )
    assert 'ServiceAccount "sa-unset" (sa-precedence/serviceaccounts.yaml:' in found["pod-absent-sa-unset"]["message"]
    assert "leaves the default" in found["pod-absent-sa-unset"]["message"]
    for name in ("pod-absent-sa-missing", "pod-absent-sa-elsewhere"):
        assert "is not in the input (assumed to allow automount)" in found[name]["message"]
    assert '"default" ServiceAccount' in found["default-in-web"]["message"]
    assert "defined more than once with different automount values" in found["runner-anywhere"]["message"]


def test_messages_compare_the_deadline_with_the_token_lifetime(cli, monkeypatch) -> None:
    monkeypatch.chdir(FIXTURES / "lint")
    found = findings_by_name(cli, "job.yaml")
    long_job = found["backfill-orders"]["message"]
    assert "21600s" in long_job and "line 23" in long_job and "3607s" in long_job
    assert "ends within 600s" in found["db-migrate"]["message"]
    assert "has no activeDeadlineSeconds" in found["rebuild-search"]["message"]


def test_every_token_reliance_message_names_the_object_and_the_cure(cli, monkeypatch) -> None:
    monkeypatch.chdir(FIXTURES / "lint")
    found = findings_by_name(cli, "pod.yaml")
    assert {finding["rule"] for finding in found.values()} == {"KT001", "KT002", "KT003"}
    for name, finding in found.items():
        assert finding["message"].startswith(f"Pod/{name}")
        assert "reload" in finding["message"] and "the token" in finding["message"]


def test_a_half_done_projection_is_reported_by_its_own_rule_not_as_plain_reliance(cli, monkeypatch) -> None:
    # Admission still gives the sidecar the default token; KT008 reports that, KT001-KT003 stay silent.
    monkeypatch.chdir(FIXTURES / "lint")
    report = cli("lint", "--format", "json", "token-path-mounts.yaml").json()
    rules = {f["rule"] for f in report["findings"] if f["name"] == "sidecar-without-mount"}
    assert "KT008" in rules
    assert not rules & {"KT001", "KT002", "KT003"}

"""`k8stoken fix` from the command line: modes (--diff, --check, stdin), options and their validation, what is
written and what is not, the messages, and the exit status documented in `k8stoken fix --help`:
0 all fixed, 1 findings remain (or, with --check, something would change, or an input could not be parsed),
2 a file could not be fixed safely (or the command line is wrong).
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from k8stoken.cli import main
from ruamel.yaml import YAML

FIX_FIXTURES = FIXTURES / "fix"
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
EXTENDED_TOKEN_NOTE = "on clusters that still extend the auto-mounted token"

JOBS = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: short
spec:
  activeDeadlineSeconds: 1800
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: registry.example.com/app:1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: just-over-an-hour
spec:
  activeDeadlineSeconds: 3601
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: registry.example.com/app:1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: two-hours
spec:
  activeDeadlineSeconds: 7200
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: registry.example.com/app:1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: backfill
spec:
  activeDeadlineSeconds: 100000
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: registry.example.com/app:1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: no-deadline
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: app
        image: registry.example.com/app:1
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      activeDeadlineSeconds: 5000
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: app
            image: registry.example.com/app:1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1
"""


def copy_fixture(tmp_path: Path, name: str, mode: int = 0o644) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIX_FIXTURES / name, target)
    target.chmod(mode)
    return target


def golden(name: str) -> bytes:
    return (FIX_FIXTURES / name.replace(".yaml", ".fixed.yaml")).read_bytes()


def write(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def load_all(data: bytes | str) -> list:
    loader = YAML(typ="safe", pure=True)
    return list(loader.load_all(data))


def pod_specs(data: bytes | str) -> dict[str, dict]:
    """Workload name -> pod spec, for the kinds used in these tests."""
    specs = {}
    for document in load_all(data):
        if document["kind"] not in ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"):
            continue
        spec = document["spec"]
        if document["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if document["kind"] != "Pod":
            spec = spec["template"]["spec"]
        specs[document["metadata"]["name"]] = spec
    return specs


def token_source(spec: dict) -> dict:
    (volume,) = [volume for volume in spec["volumes"] if "projected" in volume]
    return volume["projected"]["sources"][0]["serviceAccountToken"]


# --diff, --check and standard input


def test_diff_prints_the_change_and_writes_nothing(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "existing-volumes.yaml")
    before = target.read_bytes()
    result = cli("fix", "--diff", str(target))
    expected = difflib.unified_diff(
        before.decode().splitlines(keepends=True),
        golden("existing-volumes.yaml").decode().splitlines(keepends=True),
        f"a/{str(target).lstrip('/')}",
        f"b/{str(target).lstrip('/')}",
    )
    assert result.stdout == "".join(expected)
    assert target.read_bytes() == before
    assert not [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("fixed ")]


def test_diff_marks_a_missing_final_newline(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "no-trailing-newline.yaml")
    result = cli("fix", "--diff", str(target))
    assert "-        image: registry.example.com/app:1\n\\ No newline at end of file\n" in result.stdout
    assert result.stdout.endswith("+                  fieldPath: metadata.namespace\n\\ No newline at end of file\n")
    assert target.read_bytes() == (FIX_FIXTURES / "no-trailing-newline.yaml").read_bytes()


def test_check_exits_1_when_something_would_change_and_writes_nothing(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml")
    result = cli("fix", "--check", str(target))
    assert result.exit_code == 1
    assert f"would fix {target}: Deployment/secret-watcher (86400s token)" in result.stdout
    assert target.read_bytes() == (FIX_FIXTURES / "deployment-2-space.yaml").read_bytes()


def test_check_exits_0_when_everything_is_fixed(cli, tmp_path: Path) -> None:
    target = tmp_path / "deployment-2-space.yaml"
    target.write_bytes(golden("deployment-2-space.yaml"))
    result = cli("fix", "--check", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""


def test_check_exits_0_on_a_manifest_with_nothing_to_fix(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "automount-false.yaml")
    assert cli("fix", "--check", str(target)).exit_code == 0


def test_stdin_gives_the_fixed_yaml_on_stdout_with_bom_and_crlf() -> None:
    source = (FIX_FIXTURES / "bom-crlf.yaml").read_bytes()
    result = CliRunner().invoke(main, ["fix", "-"], input=source, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout_bytes == golden("bom-crlf.yaml")  # bytes: click's text output turns CRLF into LF
    assert "error" not in result.stderr


def test_stdin_with_nothing_to_fix_is_written_back_unchanged(cli) -> None:
    source = (FIX_FIXTURES / "serviceaccount-opt-out.yaml").read_bytes()
    result = cli("fix", "-", input=source)
    assert result.exit_code == 0
    assert result.stdout.encode("utf-8") == source
    assert result.stderr == ""


def test_stdin_that_is_not_yaml_is_written_back_with_an_error(cli) -> None:
    result = cli("fix", "-", input=b"kind: Pod\nspec: [\n")
    assert result.exit_code == 1
    assert result.stdout == "kind: Pod\nspec: [\n"
    assert result.stderr.startswith("-:3:1: error: invalid YAML")


def test_stdin_with_diff_prints_only_the_diff(cli) -> None:
    result = cli("fix", "--diff", "-", input=(FIX_FIXTURES / "spark-driver-pod.yaml").read_bytes())
    assert result.stdout.startswith("--- a/-\n+++ b/-\n@@ ")
    assert "+  automountServiceAccountToken: false\n" in result.stdout


# --expiration


@pytest.mark.parametrize("value", ["599", "4294967297", "3607", "abc", "-1", "1e3", ""])
def test_expiration_out_of_range_or_not_a_number_is_a_usage_error(cli, tmp_path: Path, value: str) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml")
    result = cli("fix", "--expiration", value, str(target))
    assert result.exit_code == 2
    assert "Invalid value for '--expiration'" in result.stderr
    assert target.read_bytes() == (FIX_FIXTURES / "deployment-2-space.yaml").read_bytes()


def test_3607_is_refused_with_the_reason(cli, tmp_path: Path) -> None:
    result = cli("fix", "--expiration", "3607", str(copy_fixture(tmp_path, "deployment-2-space.yaml")))
    assert "1 hour or 1 year" in result.stderr


@pytest.mark.parametrize("value", [600, 4294967296])
def test_expiration_bounds_are_accepted(cli, tmp_path: Path, value: int) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml")
    result = cli("fix", "--expiration", str(value), str(target))
    assert result.exit_code == 0, result.stderr
    assert token_source(pod_specs(target.read_bytes())["secret-watcher"])["expirationSeconds"] == value
    assert f"Deployment/secret-watcher ({value}s token)" in result.stdout


def test_expiration_auto_covers_each_batch_deadline_in_whole_hours(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "jobs.yaml", JOBS)
    result = cli("fix", "--expiration", "auto", str(target))
    lifetimes = {name: token_source(spec)["expirationSeconds"] for name, spec in pod_specs(target.read_bytes()).items()}
    assert lifetimes == {
        "short": 3600,  # at least an hour
        "just-over-an-hour": 7200,  # rounded up to whole hours
        "two-hours": 7200,
        "backfill": 86400,  # at most a day
        "no-deadline": 86400,
        "nightly": 7200,  # the CronJob's job deadline
        "web": 86400,  # not a batch workload
    }
    # backfill's 100000 s deadline outlives the longest token written: its finding stays.
    assert result.exit_code == 1, result.stderr


def test_expiration_auto_is_case_insensitive(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "jobs.yaml", JOBS)
    assert cli("fix", "--expiration", "AUTO", str(target)).exit_code == 1  # backfill outlives 86400 s
    assert token_source(pod_specs(target.read_bytes())["short"])["expirationSeconds"] == 3600


def test_a_deadline_longer_than_the_lifetime_is_reported(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "jobs.yaml", JOBS)
    result = cli("fix", str(target))
    lines = [line for line in result.stderr.splitlines() if "longer than" in line]
    assert lines == [
        f"{target}:45: Job/backfill may run 100000s, longer than the 86400s token written: "
        "its client must reload the token"
    ]


def test_a_lifetime_above_a_day_warns_about_clusters_that_cap_it(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "default-serviceaccount.yaml")
    result = cli("fix", "--expiration", "90000", str(target))
    assert result.exit_code == 0
    assert "cap projected tokens at 86400" in result.stderr
    assert token_source(pod_specs(target.read_bytes())["legacy-reporter"])["expirationSeconds"] == 90000


# --audience


@pytest.mark.parametrize(
    "audience",
    ["api://AzureADTokenExchange", "sts.amazonaws.com", "vault", "https://vault.internal:8200", "YOUR-GUID",
     "api://<YOUR-GUID>"],
)  # fmt: skip
def test_audiences_the_api_server_rejects_are_refused(cli, tmp_path: Path, audience: str) -> None:
    target = copy_fixture(tmp_path, "vault-statefulset.yaml")
    result = cli("fix", "--audience", audience, str(target))
    assert result.exit_code == 2
    assert "Invalid value for --audience" in result.stderr
    assert "--force" in result.stderr
    assert target.read_bytes() == (FIX_FIXTURES / "vault-statefulset.yaml").read_bytes()


def test_force_writes_a_refused_audience(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "vault-statefulset.yaml")
    result = cli("fix", "--audience", "vault", "--force", str(target))
    assert result.exit_code == 0, result.stderr
    assert token_source(pod_specs(target.read_bytes())["vault"]) == {
        "path": "token",
        "expirationSeconds": 86400,
        "audience": "vault",
    }


def test_an_api_server_audience_is_written(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml")
    result = cli("fix", "--audience", "https://kubernetes.default.svc.cluster.local", str(target))
    assert result.exit_code == 0, result.stderr
    token = token_source(pod_specs(target.read_bytes())["secret-watcher"])
    assert token["audience"] == "https://kubernetes.default.svc.cluster.local"


def test_without_audience_the_token_has_no_audience_key(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "vault-statefulset.yaml")
    cli("fix", str(target))
    assert "audience" not in token_source(pod_specs(target.read_bytes())["vault"])


# --volume-name


def test_the_admission_volume_prefix_is_refused(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml")
    result = cli("fix", "--volume-name", "kube-api-access-mine", str(target))
    assert result.exit_code == 2
    assert "kube-api-access-" in result.stderr
    assert target.read_bytes() == (FIX_FIXTURES / "deployment-2-space.yaml").read_bytes()


def test_volume_name_is_used_for_the_volume_and_every_mount(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "init-containers.yaml")
    assert cli("fix", "--volume-name", "api-token", str(target)).exit_code == 0
    spec = pod_specs(target.read_bytes())["ci-controller"]
    assert spec["volumes"][-1]["name"] == "api-token"
    for container in spec["initContainers"] + spec["containers"]:
        assert container["volumeMounts"] == [{"name": "api-token", "mountPath": TOKEN_PATH, "readOnly": True}]


def test_volume_name_gets_a_suffix_when_taken(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "token-at-custom-path.yaml")  # has a volume named api-token
    assert cli("fix", "--volume-name", "api-token", str(target)).exit_code == 0
    spec = pod_specs(target.read_bytes())["mesh-console"]
    assert [volume["name"] for volume in spec["volumes"]] == ["api-token", "api-token-2"]
    assert spec["containers"][0]["volumeMounts"][-1] == {
        "name": "api-token-2",
        "mountPath": TOKEN_PATH,
        "readOnly": True,
    }


# What is written, and what is not


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_the_file_mode_is_kept(cli, tmp_path: Path, mode: int) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml", mode)
    assert cli("fix", str(target)).exit_code == 0
    assert target.stat().st_mode & 0o7777 == mode
    assert target.read_bytes() == golden("deployment-2-space.yaml")


def test_a_symlink_out_of_the_given_paths_is_not_written(cli, tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    real = copy_fixture(outside, "deployment-2-space.yaml")
    (repo / "linked.yaml").symlink_to(real)
    inside = copy_fixture(repo, "spark-driver-pod.yaml")
    result = cli("fix", str(repo))
    assert result.exit_code == 2
    assert f"{repo / 'linked.yaml'}:1:1: error: symlink points outside the given paths: not written" in result.stderr
    assert real.read_bytes() == (FIX_FIXTURES / "deployment-2-space.yaml").read_bytes()
    assert inside.read_bytes() == golden("spark-driver-pod.yaml")  # the other files are still fixed


def test_a_symlink_inside_the_given_paths_is_written_through(cli, tmp_path: Path) -> None:
    real = copy_fixture(tmp_path, "deployment-2-space.yaml", 0o600)
    link = tmp_path / "link.yaml"
    link.symlink_to(real.name)
    assert cli("fix", str(link), str(real)).exit_code == 0
    assert link.is_symlink()
    assert real.read_bytes() == golden("deployment-2-space.yaml")
    assert real.stat().st_mode & 0o7777 == 0o600


def test_a_file_that_does_not_verify_is_not_written_and_the_others_are(cli, tmp_path: Path) -> None:
    shutil.copytree(FIX_FIXTURES / "refused", tmp_path / "refused")
    fine = copy_fixture(tmp_path, "bom.yaml")
    result = cli("fix", str(tmp_path))
    assert result.exit_code == 2
    for source in (FIX_FIXTURES / "refused").glob("*.yaml"):
        target = tmp_path / "refused" / source.name
        assert target.read_bytes() == source.read_bytes()
        assert f"{target}:1:1: error: " in result.stderr
    assert fine.read_bytes() == golden("bom.yaml")


BAD_INPUTS = {
    "invalid-yaml.yaml": (b"apiVersion: v1\nkind: Pod\nspec: {containers: [\n", ":4:1: error: invalid YAML"),
    "duplicate-keys.yaml": (
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - {name: a, image: b}\n",
        ":5:3: error: duplicate key 'name' (line 4 and line 5)",
    ),
    "invalid-utf8.yaml": (b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n", ":4:12: error: invalid UTF-8"),
    "binary.yaml": (b"\x00\x01\x02kind: Pod\n", ":1:1: error: binary file, not YAML"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_a_clean_error_and_not_written(cli, tmp_path: Path, name: str) -> None:
    data, message = BAD_INPUTS[name]
    target = tmp_path / name
    target.write_bytes(data)
    fine = copy_fixture(tmp_path, "bom.yaml")
    result = cli("fix", str(tmp_path))
    assert result.exit_code == 1  # an input that cannot be parsed remains to be dealt with
    assert f"{target}{message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == data
    assert fine.read_bytes() == golden("bom.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_clean_error(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "deployment-2-space.yaml", 0o000)
    result = cli("fix", str(target))
    assert result.exit_code == 1
    assert f"{target}:1:1: error: cannot read" in result.stderr


HELM_TEMPLATE = """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Values.name }}
spec:
  containers:
  - name: app
    image: registry.example.com/app:1
"""


def test_a_template_is_not_written_and_does_not_fail_the_run(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "pod.yaml", HELM_TEMPLATE)
    result = cli("fix", str(target))
    assert result.exit_code == 0
    assert target.read_text() == HELM_TEMPLATE


def test_a_skipped_template_is_reported(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "pod.yaml", HELM_TEMPLATE)
    result = cli("fix", str(target))
    assert f"{target}:4:9: skipped: Go template" in result.stderr


# After the fix


def test_lint_finds_no_token_reliance_after_fix(cli, tmp_path: Path) -> None:
    for source in FIX_FIXTURES.glob("*.yaml"):
        if not source.name.endswith(".fixed.yaml"):
            shutil.copyfile(source, tmp_path / source.name)
    assert cli("lint", "--select", "KT001,KT002,KT003", str(tmp_path)).exit_code == 1
    cli("fix", str(tmp_path))
    result = cli("lint", "--select", "KT001,KT002,KT003", "--format", "json", str(tmp_path))
    remaining = {(Path(f["path"]).name, f"{f['kind']}/{f['name']}") for f in result.json()["findings"]}
    assert remaining == {  # skipped on purpose
        ("sidecar-injection.yaml", "Deployment/payments"),
        ("argo-workflow.yaml", "Workflow/long-etl-"),
        ("spark-application.yaml", "SparkApplication/nightly-etl"),
    }


def test_each_file_is_reported_with_what_was_fixed(cli, tmp_path: Path) -> None:
    first = copy_fixture(tmp_path, "init-containers.yaml")
    second = copy_fixture(tmp_path, "list-kind.yaml")
    result = cli("fix", str(tmp_path))
    assert result.stdout.splitlines() == [
        f"fixed {first}: StatefulSet/ci-controller (86400s token)",
        f"fixed {second}: Deployment/listed (86400s token)",
    ]


def test_the_extended_token_note_is_printed_once(cli, tmp_path: Path) -> None:
    copy_fixture(tmp_path, "init-containers.yaml")
    copy_fixture(tmp_path, "list-kind.yaml")
    result = cli("fix", str(tmp_path))
    assert result.stderr.count(EXTENDED_TOKEN_NOTE) == 1
    assert "(the upstream default, EKS)" in result.stderr
    assert "reloads the token" in result.stderr


def test_no_note_when_nothing_changed(cli, tmp_path: Path) -> None:
    copy_fixture(tmp_path, "automount-false.yaml")
    result = cli("fix", str(tmp_path))
    assert EXTENDED_TOKEN_NOTE not in result.stderr


def test_sidecar_injection_is_skipped_with_a_message(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "sidecar-injection.yaml")
    result = cli("fix", str(target))
    assert result.exit_code == 1  # the finding remains
    assert (
        f"{target}:2: skipped Deployment/payments: marked for sidecar injection (kuma.io/sidecar-injection: enabled)"
        in result.stderr
    )
    assert target.read_bytes() == (FIX_FIXTURES / "sidecar-injection.yaml").read_bytes()


def test_select_fixes_only_the_findings_of_those_rules(cli, tmp_path: Path) -> None:
    jobs = write(tmp_path, "jobs.yaml", JOBS)
    result = cli("fix", "--select", "KT002", str(jobs))
    changed = {name for name, spec in pod_specs(jobs.read_bytes()).items() if spec.get("volumes")}
    # KT002: batch workloads that may outlive the token; the short Job (KT001) and the Deployment (KT003) stay.
    assert changed == {"just-over-an-hour", "two-hours", "backfill", "no-deadline", "nightly"}
    assert result.exit_code == 1  # backfill's deadline outlives the 86400 s token written


def test_exit_0_when_everything_was_fixed(cli, tmp_path: Path) -> None:
    copy_fixture(tmp_path, "init-containers.yaml")
    assert cli("fix", str(tmp_path)).exit_code == 0


def test_exit_1_when_findings_remain(cli, tmp_path: Path) -> None:
    copy_fixture(tmp_path, "init-containers.yaml")
    copy_fixture(tmp_path, "sidecar-injection.yaml")
    assert cli("fix", str(tmp_path)).exit_code == 1


def test_exit_1_when_a_deadline_outlives_the_written_token(cli, tmp_path: Path) -> None:
    jobs = write(tmp_path, "jobs.yaml", JOBS)
    assert cli("fix", str(jobs)).exit_code == cli("lint", str(jobs)).exit_code == 1


FIXED_GOLDENS = sorted(
    path.name
    for path in FIX_FIXTURES.glob("*.fixed.yaml")
    if path.read_bytes() != (FIX_FIXTURES / path.name.replace(".fixed.yaml", ".yaml")).read_bytes()
)


@pytest.mark.parametrize("name", FIXED_GOLDENS)
def test_no_rule_finds_anything_in_a_fixed_file(cli, name: str) -> None:
    report = cli("lint", "--format", "json", str(FIX_FIXTURES / name)).json()
    assert [f"{f['rule']} {f['message']}" for f in report["findings"]] == []


@pytest.mark.parametrize(
    ("name", "label"),
    [("argo-workflow.yaml", "Workflow/long-etl-"), ("spark-application.yaml", "SparkApplication/nightly-etl")],
)
def test_pods_built_by_an_operator_need_a_manual_fix(cli, tmp_path: Path, name: str, label: str) -> None:
    target = copy_fixture(tmp_path, name)
    result = cli("fix", str(target))
    assert result.exit_code == 1  # the finding remains
    assert f"manual fix required for {label}" in result.stderr
    assert target.read_bytes() == (FIX_FIXTURES / name).read_bytes()


STRING_AUTOMOUNT = """\
apiVersion: v1
kind: Pod
metadata:
  name: string-automount
spec:
  automountServiceAccountToken: "false"
  containers:
  - name: a
    image: registry.example.com/app:1
    volumeMounts:
    - name: token
      mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      readOnly: true
  - name: b
    image: registry.example.com/app:1
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken:
          path: token
          expirationSeconds: 7200
      - configMap:
          name: kube-root-ca.crt
          items:
          - key: ca.crt
            path: ca.crt
      - downwardAPI:
          items:
          - path: namespace
            fieldRef:
              apiVersion: v1
              fieldPath: metadata.namespace
"""


def test_a_second_run_changes_nothing_after_a_repair_that_turns_automount_off(cli, tmp_path: Path) -> None:
    target = write(tmp_path, "pod.yaml", STRING_AUTOMOUNT)
    cli("fix", str(target))
    once = target.read_bytes()
    cli("fix", str(target))
    assert target.read_bytes() == once


def test_diff_headers_are_paths_git_apply_takes(cli, tmp_path: Path, monkeypatch) -> None:
    copy_fixture(tmp_path, "existing-volumes.yaml")
    monkeypatch.chdir(tmp_path)
    result = cli("fix", "--diff", ".")
    assert "--- a/existing-volumes.yaml\n+++ b/existing-volumes.yaml\n" in result.stdout


def test_check_exits_0_when_nothing_would_change_even_if_findings_remain(cli, tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.yaml"
    legacy.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: reader-token\n  annotations:\n"
        "    kubernetes.io/service-account.name: reader\ntype: kubernetes.io/service-account-token\n"
    )
    assert cli("fix", "--check", str(legacy)).exit_code == 0
    result = cli("fix", str(legacy))
    assert result.exit_code == 1
    assert "1 finding(s) remain that fix does not repair" in result.stderr and "KT010" in result.stderr


def test_check_on_standard_input_prints_no_yaml(cli) -> None:
    result = cli("fix", "--check", "-", input=(FIX_FIXTURES / "existing-volumes.yaml").read_bytes())
    assert result.exit_code == 1
    assert "apiVersion" not in result.stdout


def test_volume_names_the_api_server_rejects_are_refused(cli, tmp_path: Path) -> None:
    target = copy_fixture(tmp_path, "existing-volumes.yaml")
    for name in ("", "Bad_Name", "a b", "x" * 64):
        assert cli("fix", "--volume-name", name, str(target)).exit_code == 2


def test_a_quoted_false_is_an_opt_out_written_as_false_not_a_new_token(cli, tmp_path: Path) -> None:
    target = tmp_path / "job.yaml"
    target.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n"
        '      restartPolicy: Never\n      automountServiceAccountToken: "false"\n'
        "      containers:\n      - name: a\n        image: x\n"
    )
    assert cli("fix", str(target)).exit_code == 0
    text = target.read_text()
    assert "      automountServiceAccountToken: false\n" in text and "volumes" not in text


def test_a_quoted_no_is_an_opt_out_written_as_false(cli, tmp_path: Path) -> None:
    target = tmp_path / "job.yaml"
    target.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n"
        '      restartPolicy: Never\n      automountServiceAccountToken: "no"\n'
        "      containers:\n      - name: a\n        image: x\n"
    )
    assert cli("fix", str(target)).exit_code == 0
    assert "      automountServiceAccountToken: false\n" in target.read_text()

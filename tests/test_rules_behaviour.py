"""What the findings of KT004-KT015 say, and how settings and neighbouring objects change them."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"

TOKEN_VOLUME = """\
      volumes:
      - name: sa-token
        projected:
          sources:
          - serviceAccountToken: {{path: token{extra}}}
          - configMap: {{name: kube-root-ca.crt, items: [{{key: ca.crt, path: ca.crt}}]}}
          - downwardAPI: {{items: [{{path: namespace, fieldRef: {{fieldPath: metadata.namespace}}}}]}}
"""


def job(deadline: int | None = None, extra: str = "", name: str = "batch") -> str:
    """A Job that mounts a complete projected token at the token path in its only container."""
    limit = f"  activeDeadlineSeconds: {deadline}\n" if deadline is not None else ""
    return (
        f"apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}}}\nspec:\n{limit}"
        "  template:\n    spec:\n      restartPolicy: Never\n      automountServiceAccountToken: false\n"
        "      containers:\n      - name: app\n        image: registry.example.com/app:1\n"
        "        volumeMounts:\n"
        "        - {name: sa-token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}\n"
        + TOKEN_VOLUME.format(extra=extra)
    )


def lint(cli, text: str, *args: str) -> list[dict]:
    result = cli("lint", "--format", "json", *args, "-", input=text)
    report = result.json()
    assert report["errors"] == []
    return report["findings"]


def only(findings: list[dict], code: str) -> dict:
    (finding,) = [f for f in findings if f["rule"] == code]
    return finding


def test_a_complete_projection_is_clean_for_every_rule(cli) -> None:
    assert lint(cli, job(deadline=1800, extra=", expirationSeconds: 3600")) == []


def test_kt004_names_the_value_and_the_valid_range(cli) -> None:
    finding = only(lint(cli, job(extra=", expirationSeconds: 599")), "KT004")
    assert "599" in finding["message"] and "600" in finding["message"]
    assert (finding["severity"], finding["fixable"]) == ("error", False)


@pytest.mark.parametrize(
    ("deadline", "expiration", "fires"),
    [(3601, "", True), (3600, "", False), (7200, ", expirationSeconds: 7200", False)],
)
def test_kt005_compares_the_deadline_with_the_lifetime(cli, deadline: int, expiration: str, fires: bool) -> None:
    findings = [f for f in lint(cli, job(deadline=deadline, extra=expiration)) if f["rule"] == "KT005"]
    assert bool(findings) is fires
    if fires:
        assert f"{deadline}s" in findings[0]["message"] and "3600s, the default" in findings[0]["message"]


def test_kt005_maximum_comes_from_the_command_line(cli) -> None:
    text = job(extra=", expirationSeconds: 7200")
    assert lint(cli, text) == []
    finding = only(lint(cli, text, "--max-expiration", "3600"), "KT005")
    assert "7200s, more than the maximum of 3600s" in finding["message"]


def test_kt006_fixability_follows_what_fix_can_complete(cli) -> None:
    findings = lint(cli, (RULE_FIXTURES / "kt006-positive.yaml").read_text(), "--select", "KT006")
    by_line = {f["line"]: (f["severity"], f["fixable"]) for f in findings}
    assert by_line == {
        21: ("error", True),  # no ca.crt, no namespace: fix adds the sources
        40: ("warning", True),  # only the namespace file is missing
        61: ("error", True),
        64: ("error", False),  # a token path other than `token`: the application may read that name
        85: ("error", False),  # subPath: the mount itself must change
    }


def test_kt007_names_the_volume_and_why_automount_is_off(cli) -> None:
    findings = lint(cli, (RULE_FIXTURES / "kt007-positive.yaml").read_text(), "--select", "KT007")
    verify = next(f for f in findings if f["name"] == "migrate")
    assert '"sa-token"' in verify["message"] and 'container "verify"' in verify["message"]
    assert 'ServiceAccount "no-automount" (-:32) sets automountServiceAccountToken: false' in verify["message"]
    assert all(f["fixable"] for f in findings)


AUDIENCE = ", audience: payments-api"


def test_kt009_an_unknown_audience_is_only_noted_without_configuration(cli) -> None:
    finding = only(lint(cli, job(extra=AUDIENCE)), "KT009")
    assert finding["severity"] == "info"


def test_kt009_checks_the_audience_given_on_the_command_line(cli) -> None:
    finding = only(lint(cli, job(extra=AUDIENCE), "--audience", "https://kubernetes.default.svc"), "KT009")
    assert finding["severity"] == "error"
    assert "not the configured API audience 'https://kubernetes.default.svc'" in finding["message"]
    assert lint(cli, job(extra=AUDIENCE), "--audience", "payments-api") == []


def test_kt009_foreign_audience_names_its_owner_even_when_configured(cli) -> None:
    text = job(extra=', audience: "sts.amazonaws.com"')
    finding = only(lint(cli, text, "--audience", "sts.amazonaws.com"), "KT009")
    assert "AWS IAM roles for service accounts" in finding["message"]


SECRET = (
    "apiVersion: v1\nkind: Secret\nmetadata: {{name: app-token, namespace: {namespace}}}\n"
    "type: kubernetes.io/service-account-token\n"
)
MOUNTS_SECRET = """\
apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: reports}
spec:
  containers:
  - name: app
    image: registry.example.com/app:1
    volumeMounts:
    - {name: token, mountPath: /etc/token}
  volumes:
  - name: token
    secret: {secretName: app-token}
"""


def test_kt010_matches_a_secret_volume_to_the_secret_in_the_same_namespace(cli) -> None:
    same = lint(cli, SECRET.format(namespace="reports") + "---\n" + MOUNTS_SECRET, "--select", "KT010")
    assert {f["kind"] for f in same} == {"Secret", "Pod"}
    other = lint(cli, SECRET.format(namespace="billing") + "---\n" + MOUNTS_SECRET, "--select", "KT010")
    assert {f["kind"] for f in other} == {"Secret"}


def test_kt011_fixability_follows_what_fix_can_rewrite(cli) -> None:
    findings = lint(cli, (RULE_FIXTURES / "kt011-positive.yaml").read_text(), "--select", "KT011")
    assert {f["line"]: f["fixable"] for f in findings} == {
        6: True,
        18: True,
        27: False,
        36: False,
        44: False,
        47: False,
    }


def test_kt015_ignores_bindings_of_the_default_serviceaccount(cli) -> None:
    binding = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: view, namespace: apps}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
        "subjects: [{kind: ServiceAccount, name: default}]\n"
    )
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: apps}\nspec:\n"
        "  automountServiceAccountToken: false\n  containers: [{name: web, image: registry.example.com/web:1}]\n"
    )
    assert lint(cli, binding + "---\n" + pod) == []
    named = pod.replace("spec:\n", "spec:\n  serviceAccountName: web\n")
    assert only(lint(cli, binding.replace("name: default", "name: web") + "---\n" + named), "KT015")


def test_severity_override_applies_to_every_finding_of_the_rule(cli, tmp_path, monkeypatch) -> None:
    (tmp_path / ".k8stoken.yaml").write_text("severity:\n  KT008: info\n")
    monkeypatch.chdir(tmp_path)
    findings = lint(cli, (RULE_FIXTURES / "kt008-positive.yaml").read_text(), "--select", "KT008")
    assert len(findings) == 3  # one warning and two errors by default
    assert {f["severity"] for f in findings} == {"info"}


def test_kt010_without_namespaces_a_secret_of_another_folder_is_another_secret(cli, tmp_path, monkeypatch) -> None:
    secret = SECRET.format(namespace="reports").replace(", namespace: reports", "")
    pod = MOUNTS_SECRET.replace(", namespace: reports", "")
    (tmp_path / "tokens").mkdir()
    (tmp_path / "apps").mkdir()
    (tmp_path / "tokens" / "secret.yaml").write_text(secret)
    (tmp_path / "apps" / "pod.yaml").write_text(pod)
    (tmp_path / "tokens" / "pod.yaml").write_text(pod)
    monkeypatch.chdir(tmp_path)
    report = cli("lint", "--select", "KT010", "--format", "json", "tokens", "apps").json()
    assert sorted((f["path"], f["kind"]) for f in report["findings"]) == [
        ("tokens/pod.yaml", "Pod"),
        ("tokens/secret.yaml", "Secret"),
    ]

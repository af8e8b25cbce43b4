"""Every rule on the cases in ../shared/cases/README.md: each case gets exactly the findings it calls for.

The cases folder sits beside the project and is absent on most machines: then these tests skip.
"""

from __future__ import annotations

import pytest
from conftest import PROJECT_ROOT, SHARED

CASES = SHARED / "cases"

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases is not available")

# Case -> (rule, severity, object) of every finding when all rules run; cases not listed here have only
# their token-reliance finding (tests/test_lint_cases.py), which is checked there.
ALL_RULES = {
    "B06": {("KT003", "warning", "StatefulSet/vault")},  # the binding matters only when automount is off
    "B13": {("KT015", "warning", "Deployment/policy-controller")},
    "B14": {("KT003", "warning", "Deployment/payments"), ("KT014", "warning", "Deployment/payments")},
    "B15": {("KT013", "info", "Pod/token-3607")},
    "B16": {("KT013", "warning", "Pod/exported")},  # reported as the auto-mounted token, not by KT001-KT003
    "B17": {("KT010", "info", "Secret/reader-token"), ("KT010", "info", "Deployment/java-reader")},
    "B19": set(),
    "B20": set(),
    "B21": {("KT003", "warning", "Deployment/pod-on-sa-off")},
    "B38": {("KT003", "warning", "Deployment/optout")},
}


def lint(cli, monkeypatch, *paths: str, input: str | None = None, args: tuple[str, ...] = ()) -> dict:
    monkeypatch.chdir(PROJECT_ROOT)
    report = cli("lint", "--format", "json", *args, *paths, input=input).json()
    assert report["errors"] == []
    return report


def findings(report: dict) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["severity"], f"{f['kind']}/{f['name'] or '<unnamed>'}") for f in report["findings"]}


def case_text(name: str) -> str:
    return (CASES / f"{name}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("case", "expected"), sorted(ALL_RULES.items()))
def test_case_gets_exactly_its_findings_from_all_rules(cli, monkeypatch, case: str, expected: set) -> None:
    assert findings(lint(cli, monkeypatch, f"../shared/cases/{case}.yaml")) == expected


def test_b13_names_the_binding_and_says_no_token_is_mounted(cli, monkeypatch) -> None:
    (finding,) = lint(cli, monkeypatch, "../shared/cases/B13.yaml")["findings"]
    assert "ClusterRoleBinding/policy-controller (../shared/cases/B13.yaml:8)" in finding["message"]
    assert "automountServiceAccountToken: false" in finding["message"]
    assert "mounts none" in finding["message"]


def test_b13_without_the_binding_in_the_input_reports_nothing(cli, monkeypatch) -> None:
    service_account, _binding, deployment = case_text("B13").split("---\n")
    assert findings(lint(cli, monkeypatch, "-", input=service_account + "---\n" + deployment)) == set()


def test_b13_with_the_workload_in_another_namespace_reports_nothing(cli, monkeypatch) -> None:
    moved = case_text("B13").replace(
        "  name: policy-controller\n  namespace: policy\nspec:", "  name: policy-controller\n  namespace: other\nspec:"
    )
    assert "namespace: other" in moved
    assert ("KT015", "warning", "Deployment/policy-controller") not in findings(
        lint(cli, monkeypatch, "-", input=moved)
    )


def test_b14_warns_that_injected_containers_miss_the_manual_mount(cli, monkeypatch) -> None:
    report = lint(cli, monkeypatch, "../shared/cases/B14.yaml")
    (finding,) = [f for f in report["findings"] if f["rule"] == "KT014"]
    assert "kuma.io/sidecar-injection: enabled" in finding["message"]
    assert "injected at admission" in finding["message"] and "manual token mount" in finding["message"]


def test_b15_says_3607_is_one_hour_or_one_year(cli, monkeypatch) -> None:
    (finding,) = lint(cli, monkeypatch, "../shared/cases/B15.yaml")["findings"]
    assert (finding["line"], finding["column"]) == (21, 30)  # the 3607 scalar
    assert "1 hour or 1 year" in finding["message"]


def test_b16_is_recognised_as_the_admission_injected_volume(cli, monkeypatch) -> None:
    (finding,) = lint(cli, monkeypatch, "../shared/cases/B16.yaml")["findings"]
    assert (finding["line"], finding["column"]) == (16, 5)  # the volume's `- name: kube-api-access-abcde`
    assert "kube-api-access-abcde" in finding["message"] and "admission reuses it" in finding["message"]
    assert "1 hour or 1 year" in finding["message"]


def test_b17_the_secret_token_is_a_long_lived_credential_note(cli, monkeypatch) -> None:
    report = lint(cli, monkeypatch, "../shared/cases/B17.yaml")
    assert all("never expires" in f["message"] for f in report["findings"])


def test_b20_the_field_under_metadata_is_reported_and_not_honoured(cli, monkeypatch) -> None:
    misplaced = case_text("B20").replace(
        "  namespace: apps\nautomountServiceAccountToken: false\n",
        "  namespace: apps\n  automountServiceAccountToken: false\n",
    )
    assert misplaced != case_text("B20")
    report = lint(cli, monkeypatch, "-", input=misplaced)
    assert findings(report) == {
        ("KT011", "error", "ServiceAccount/no-token"),
        ("KT003", "warning", "Deployment/worker"),
    }
    (kt011,) = [f for f in report["findings"] if f["rule"] == "KT011"]
    assert (kt011["line"], kt011["column"]) == (6, 3)  # the key, now under metadata


def test_b38_an_unquoted_ignore_annotation_is_not_honoured_and_says_so(cli, monkeypatch) -> None:
    text = case_text("B38").replace("k8stoken.example/ignore: yes", "k8stoken.io/ignore: yes")
    report = lint(cli, monkeypatch, "-", input=text)
    (finding,) = report["findings"]
    assert finding["rule"] == "KT003"
    assert "k8stoken.io/ignore annotation is not a quoted string" in finding["message"]
    assert report["summary"]["suppressed"] == 0


def test_b38_a_quoted_ignore_annotation_is_honoured(cli, monkeypatch) -> None:
    text = case_text("B38").replace("k8stoken.example/ignore: yes", 'k8stoken.io/ignore: "KT003"')
    report = lint(cli, monkeypatch, "-", input=text)
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == 1

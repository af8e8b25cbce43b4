"""The linting verdicts of the cases in ../shared/cases/README.md, on their original inputs.

The cases folder sits beside the project and is absent on most machines: then these tests skip.
Variants of the cases (other namespaces, Helm templates, deadline spellings, every wrapper kind) are
fixtures of their own under tests/fixtures/lint and always run.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, PROJECT_ROOT, SHARED

CASES = SHARED / "cases"
TOKEN_RULES = ("--select", "KT001,KT002,KT003")

pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases is not available")

# Case -> the objects that get a token-reliance finding (KT001-KT003); every other object gets none.
VERDICTS = {
    "B01": {"Pod/<unnamed>"},  # the Spark driver pod (spark-role=driver) has no name of its own
    "B02": {"Deployment/secret-watcher"},
    "B04": {"Deployment/mesh-console"},
    "B05": {"Deployment/mesh-console"},
    "B06": {"StatefulSet/vault"},
    "B07": {"Deployment/flink-jobmanager"},
    "B08": {"StatefulSet/ci-controller"},
    "B09": {"Deployment/legacy-reporter"},
    "B12": {"Deployment/airflow-worker"},
    "B13": set(),
    "B14": {"Deployment/payments"},
    "B15": set(),
    "B17": set(),
    "B19": set(),
    "B20": set(),
    "B21": {"Deployment/pod-on-sa-off"},
    "B23": {"DaemonSet/node-agent"},
    "B26": {"Deployment/report-ui"},
    "B27": {"Deployment/demo-worker"},
    "B28": set(),
    "B29": {"Deployment/indented"},
    "B31": {"Job/long-args"},
    "B32": {"Pod/two"},
    "B34": {"Pod/quoting"},
    "B38": {"Deployment/optout"},
    "B40": {"Deployment/anchors"},
    "B42": {"Job/deadline-types"},
}


def lint_case(cli, monkeypatch, *names: str, args: tuple[str, ...] = TOKEN_RULES, input: str | None = None) -> dict:
    monkeypatch.chdir(PROJECT_ROOT)
    paths = [f"../shared/cases/{name}.yaml" if name != "-" else "-" for name in names]
    result = cli("lint", *args, "--format", "json", *paths, input=input)
    report = result.json()
    assert not report["errors"], report["errors"]
    assert result.exit_code == (1 if report["findings"] else 0)
    return report


def flagged(report: dict) -> set[str]:
    return {f"{f['kind']}/{f['name'] or '<unnamed>'}" for f in report["findings"]}


def finding_on(report: dict, label: str) -> dict:
    (finding,) = [f for f in report["findings"] if f"{f['kind']}/{f['name'] or '<unnamed>'}" == label]
    return finding


@pytest.mark.parametrize(("case", "expected"), sorted(VERDICTS.items()))
def test_case_verdict(cli, monkeypatch, case: str, expected: set[str]) -> None:
    report = lint_case(cli, monkeypatch, case)
    assert flagged(report) == expected
    assert len(report["findings"]) == len(expected)  # exactly one of KT001-KT003 per workload


def test_b02_says_the_fix_only_stretches_the_lifetime(cli, monkeypatch) -> None:
    message = finding_on(lint_case(cli, monkeypatch, "B02"), "Deployment/secret-watcher")["message"]
    assert "reload the token" in message
    assert "expirationSeconds" in message
    assert "24 h" in message
    assert 'ServiceAccount "secret-watcher"' in message


def test_b05_explains_why_a_projection_at_another_path_does_not_help(cli, monkeypatch) -> None:
    message = finding_on(lint_case(cli, monkeypatch, "B05"), "Deployment/mesh-console")["message"]
    assert '"api-token" is not mounted at the default path' in message
    assert "still read the auto-mounted token" in message


def test_b09_names_the_default_serviceaccount_and_what_is_assumed(cli, monkeypatch) -> None:
    message = finding_on(lint_case(cli, monkeypatch, "B09"), "Deployment/legacy-reporter")["message"]
    assert '"default" ServiceAccount' in message
    assert "not in the input" in message and "assumed to allow automount" in message


def test_b12_says_the_fix_covers_only_the_in_cluster_token(cli, monkeypatch) -> None:
    message = finding_on(lint_case(cli, monkeypatch, "B12"), "Deployment/airflow-worker")["message"]
    assert "kubeconfig exec" in message and "OAuth" in message


def test_b21_the_pod_value_overrides_the_serviceaccount(cli, monkeypatch) -> None:
    report = lint_case(cli, monkeypatch, "B21")
    message = finding_on(report, "Deployment/pod-on-sa-off")["message"]
    assert "the pod spec sets automountServiceAccountToken: true" in message


def test_b23_points_at_the_automount_key_in_the_daemonset_template(cli, monkeypatch) -> None:
    finding = finding_on(lint_case(cli, monkeypatch, "B23"), "DaemonSet/node-agent")
    assert (finding["line"], finding["column"]) == (13, 7)


def test_b27_comment_only_helm_document_is_no_error(cli, monkeypatch) -> None:
    report = lint_case(cli, monkeypatch, "B27")
    assert report["skipped"] == []
    assert report["summary"]["objects"] == 1


def test_b28_a_serviceaccount_that_sets_true_is_named_for_the_pods_that_use_it(cli, monkeypatch) -> None:
    job = (FIXTURES / "lint" / "serviceaccount-feeds-finding.yaml").read_text().split("---\n")[1]
    job = job.replace("  namespace: system-upgrade\n", "")  # B28's ServiceAccount has no namespace either
    report = lint_case(cli, monkeypatch, "B28", "-", input=job)
    message = finding_on(report, "Job/apply-upgrade")["message"]
    assert 'ServiceAccount "upgrader" (../shared/cases/B28.yaml:2) sets automountServiceAccountToken: true' in message


def test_b42_a_quoted_deadline_is_an_invalid_deadline_not_a_long_running_one(cli, monkeypatch) -> None:
    finding = finding_on(lint_case(cli, monkeypatch, "B42"), "Job/deadline-types")
    assert (finding["rule"], finding["severity"]) == ("KT002", "error")
    assert "'7200'" in finding["message"] and "not an integer" in finding["message"]
    assert "may run for" not in finding["message"]


def test_b17_a_long_lived_secret_token_gets_at_most_an_informational_note(cli, monkeypatch) -> None:
    report = lint_case(cli, monkeypatch, "B17", args=())
    assert {finding["severity"] for finding in report["findings"]} <= {"info"}


def test_all_cases_in_one_run_keep_their_verdicts(cli, monkeypatch) -> None:
    # ServiceAccounts resolve across every input of a run: no case's accounts change another case's verdict.
    report = lint_case(cli, monkeypatch, *sorted(VERDICTS))
    by_case = {
        case: {
            label
            for label, path in ((f"{f['kind']}/{f['name'] or '<unnamed>'}", f["path"]) for f in report["findings"])
            if path.endswith(f"/{case}.yaml")
        }
        for case in VERDICTS
    }
    assert by_case == VERDICTS

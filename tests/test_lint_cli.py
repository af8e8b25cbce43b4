"""The command line around lint: JSON report and its schema, exit codes, rules, explain, version, entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import k8stoken
import pytest
from conftest import FIXTURES, PROJECT_ROOT

LINT_FIXTURES = FIXTURES / "lint"
EXAMPLES = PROJECT_ROOT / "examples"
TOKEN_RULES = {"KT001": "default-token-mount", "KT002": "job-outlives-token", "KT003": "long-lived-workload-token"}


@pytest.fixture(autouse=True)
def in_lint_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LINT_FIXTURES)


def report_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(resources.files("k8stoken").joinpath("schemas/report.schema.json").read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_json_report_of_findings_errors_and_skips_validates_against_the_shipped_schema(cli) -> None:
    result = cli("lint", "--format", "json", "mixed-inputs", "job.yaml")
    report = result.json()
    report_validator().validate(report)
    assert report["findings"] and report["errors"] and report["skipped"]
    finding = report["findings"][0]
    assert set(finding) == {
        "rule",
        "severity",
        "path",
        "line",
        "column",
        "message",
        "kind",
        "name",
        "namespace",
        "fixable",
    }
    assert report["summary"]["files"] == 4
    assert report["summary"]["unreadable"] == 1 and report["summary"]["skipped"] == 1


def test_the_schema_rejects_a_report_that_breaks_it(cli) -> None:
    report = cli("lint", "--format", "json", "job.yaml").json()
    validator = report_validator()
    broken = json.loads(json.dumps(report))
    broken["findings"][0]["line"] = 0
    assert not validator.is_valid(broken)
    del report["errors"]
    assert not validator.is_valid(report)


def test_json_paths_are_as_given_and_stdin_is_a_dash(cli) -> None:
    text = (LINT_FIXTURES / "job.yaml").read_text()
    report = cli("lint", "--format", "json", "./job.yaml", "-", input=text).json()
    assert {finding["path"] for finding in report["findings"]} == {"./job.yaml", "-"}


@pytest.mark.parametrize(
    ("paths", "exit_code"),
    [
        (["not-kubernetes.yaml"], 0),
        (["empty.yaml", "comment-only.yaml"], 0),
        (["job.yaml"], 1),
        (["helm-template.yaml"], 0),  # a skipped template does not change the exit code
        (["helm-template.yaml", "job.yaml"], 1),
        (["invalid-yaml.yaml"], 2),
        (["invalid-yaml.yaml", "job.yaml"], 2),  # unreadable input wins over findings
        (["no-such-file.yaml"], 2),
    ],
)
def test_exit_codes(cli, paths: list[str], exit_code: int) -> None:
    assert cli("lint", *paths).exit_code == exit_code


def test_text_report_lines_and_summary(cli) -> None:
    result = cli("lint", "--select", "KT001,KT002,KT003", "job.yaml")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("job.yaml:11:7: KT001 [warning] Job/db-migrate ")
    assert lines[0].endswith(" (Job/db-migrate)")
    assert lines[-1] == "Found 4 finding(s) (1 error, 3 warnings) in 1 file(s)."
    assert "\x1b[" not in result.stdout  # no colour when the output is not a terminal


def test_rules_lists_the_token_reliance_rules(cli) -> None:
    result = cli("rules")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    for code, name in TOKEN_RULES.items():
        assert rows[code][1] == name
    assert rows["KT001"][2] == "warning" and rows["KT002"][2] == "error" and rows["KT003"][2] == "warning"


@pytest.mark.parametrize("wanted", ["KT001", "kt001", "default-token-mount"])
def test_explain_by_code_or_name(cli, wanted: str) -> None:
    result = cli("explain", wanted)
    assert result.exit_code == 0
    assert result.stdout.startswith("KT001 default-token-mount [warning]")
    for section in ("Why:", "Fails:", "How to fix:"):
        assert section in result.stdout


def test_explain_an_unknown_rule_is_a_usage_error(cli) -> None:
    result = cli("explain", "KT999")
    assert result.exit_code == 2
    assert "KT999" in result.stderr


def test_version(cli) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert k8stoken.__version__ in result.stdout


def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=LINT_FIXTURES, input=input, capture_output=True, text=True, timeout=60)


def test_python_dash_m_k8stoken() -> None:
    version = run(sys.executable, "-m", "k8stoken", "--version")
    assert version.returncode == 0 and k8stoken.__version__ in version.stdout
    lint = run(sys.executable, "-m", "k8stoken", "lint", "--format", "json", "job.yaml")
    assert lint.returncode == 1
    report_validator().validate(json.loads(lint.stdout))


def test_console_script_reads_stdin_without_a_traceback() -> None:
    script = Path(sys.executable).with_name("k8stoken.exe" if os.name == "nt" else "k8stoken")
    if not script.exists():
        pytest.skip("the k8stoken console script is not installed beside this interpreter")
    result = run(str(script), "lint", "-", input="apiVersion: v1\nkind: Pod\nmetadata: {name: x\n")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("-:")


def test_select_and_ignore_take_rule_names_as_well_as_codes(cli) -> None:
    by_code = cli("lint", "--select", "KT002", str(EXAMPLES))
    by_name = cli("lint", "--select", "job-outlives-token", str(EXAMPLES))
    assert by_code.stdout == by_name.stdout and "KT002" in by_name.stdout
    assert "KT003" not in cli("lint", "--ignore", "long-lived-workload-token", str(EXAMPLES)).stdout


def test_a_threshold_beyond_the_token_lifetime_is_refused(cli) -> None:
    assert cli("lint", "--long-running-threshold", "3608", str(EXAMPLES)).exit_code == 2

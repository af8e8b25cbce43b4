"""`k8stoken lint` output: --format sarif/github/json/text, --output, --statistics, --exit-zero, --quiet."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from k8stoken.annotations import escape_data, escape_property, workflow_command
from k8stoken.cli import main
from k8stoken.rules import load_rules
from k8stoken.sarif import artifact_location

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SARIF_SCHEMA = Path(__file__).resolve().parents[1] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def in_fixture_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)


def lint(*args: str):
    return CliRunner().invoke(main, ["lint", *args])


def json_findings(*paths: str) -> list[dict]:
    return json.loads(lint("--format", "json", *paths).stdout)["findings"]


def test_sarif_output_validates_against_the_sarif_2_1_0_schema() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not available")
    schema = json.loads(SARIF_SCHEMA.read_text())
    result = lint("--format", "sarif", ".")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert document["version"] == "2.1.0"


def test_sarif_results_match_the_findings_with_physical_locations() -> None:
    run = json.loads(lint("--format", "sarif", ".").stdout)["runs"][0]
    located = [
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
            result["level"],
            result["message"]["text"],
        )
        for result in run["results"]
    ]
    expected = [
        (f["rule"], f["path"].removeprefix("./"), f["line"], f["column"], f["severity"], f["message"])
        for f in json_findings(".")
    ]
    assert located == expected
    assert {"KT002", "KT003"} <= {entry[0] for entry in located}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_rule_metadata_carries_the_rule_documentation() -> None:
    driver = json.loads(lint("--format", "sarif", ".").stdout)["runs"][0]["tool"]["driver"]
    described = {rule["id"]: rule for rule in driver["rules"]}
    for code, rule in load_rules().items():
        descriptor = described[code]
        assert descriptor["name"] == rule.name
        explained = CliRunner().invoke(main, ["explain", code]).stdout
        assert descriptor["help"]["text"] in explained
        assert descriptor["shortDescription"]["text"] == rule.summary.strip()
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning"}.get(
            str(rule.severity), "note"
        )
        assert "```" in descriptor["help"]["markdown"] or "    " not in rule.doc


def test_sarif_reports_unreadable_input_as_a_failed_execution(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Pod\nmetadata: {name: x\n")
    result = lint("--format", "sarif", str(broken))
    assert result.exit_code == 2
    invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == broken.as_uri()


def test_sarif_uris_are_relative_inside_the_working_folder_and_absolute_outside() -> None:
    assert artifact_location("./apps/web deploy.yaml") == {"uri": "apps/web%20deploy.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("../other/x.yaml")["uri"] == (FIXTURES.parent / "other" / "x.yaml").as_uri()
    assert artifact_location("-") == {"uri": "-"}


def test_json_output_validates_against_the_shipped_schema() -> None:
    schema = json.loads(resources.files("k8stoken").joinpath("schemas/report.schema.json").read_text())
    document = json.loads(lint("--format", "json", ".").stdout)
    jsonschema.validate(document, schema)
    assert document["summary"]["findings"] == 3


def test_github_format_prints_one_workflow_command_per_finding() -> None:
    result = lint("--format", "github", "workloads.yaml")
    assert result.exit_code == 1
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    findings = json_findings("workloads.yaml")
    assert len(commands) == len(findings) == 3
    first = findings[0]
    assert commands[0] == (
        f"::warning file=workloads.yaml,line={first['line']},col={first['column']},"
        f"title=KT003 long-lived-workload-token::{escape_data(first['message'])} (Deployment/api)"
    )
    assert commands[2].startswith("::error file=workloads.yaml,line=48,col=11,title=KT002 job-outlives-token::")
    assert result.stdout.splitlines()[-1].startswith("Found 3 finding(s)")


def test_github_format_reports_skipped_templates_as_notices_unless_quiet() -> None:
    loud = lint("--format", "github", "template.yaml").stdout
    assert loud.startswith("::notice file=template.yaml,line=4,col=9,title=k8stoken%3A template skipped::Go template")
    assert "::notice" not in lint("--format", "github", "--quiet", "template.yaml").stdout


def test_github_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("dir,1/a:b%.yaml\n") == "dir%2C1/a%3Ab%25.yaml%0A"
    line = workflow_command("error", "line one\nline two", file="a,b.yaml", line=3, col=1, title="KT001 x")
    assert line == "::error file=a%2Cb.yaml,line=3,col=1,title=KT001 x::line one%0Aline two"


def test_output_writes_the_report_to_a_file_and_nothing_to_stdout(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = lint("--format", "sarif", "--output", str(target), ".")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(json.loads(target.read_text())["runs"][0]["results"]) == 3


def test_text_output_to_a_file_has_findings_and_summary_without_colour(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    lint("-o", str(target), "workloads.yaml")
    lines = target.read_text().splitlines()
    assert lines[0].startswith("workloads.yaml:14:7: KT003 [warning] Deployment/api ")
    assert lines[-1] == "Found 3 finding(s) (1 error, 2 warnings) in 1 file(s)."
    assert "\x1b[" not in target.read_text()


def test_output_to_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = lint("--output", str(tmp_path / "missing" / "report.json"), ".")
    assert result.exit_code == 2
    assert "--output" in result.stderr and "Traceback" not in result.output


def test_statistics_count_findings_per_rule_most_frequent_first() -> None:
    result = lint("--statistics", ".")
    counts = Counter(f["rule"] for f in json_findings("."))
    names = {code: rule.name for code, rule in load_rules().items()}
    expected = [
        f"{n}  {code}  {names[code]}" for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    assert expected == ["2  KT003  long-lived-workload-token", "1  KT002  job-outlives-token"]
    lines = result.stdout.splitlines()
    assert lines[-3:-1] == expected
    assert lines[-1].startswith("Found 3 finding(s)")


def test_statistics_of_a_machine_format_go_to_stderr_so_stdout_still_parses() -> None:
    result = lint("--format", "json", "--statistics", ".")
    assert json.loads(result.stdout)["summary"]["findings"] == 3
    assert result.stderr.splitlines() == ["2  KT003  long-lived-workload-token", "1  KT002  job-outlives-token"]


def test_exit_zero_keeps_findings_but_exits_0() -> None:
    result = lint("--exit-zero", "workloads.yaml")
    assert result.exit_code == 0
    assert "KT002" in result.stdout


def test_exit_zero_still_exits_2_when_an_input_cannot_be_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [Pod\n")
    assert lint("--exit-zero", str(broken), "workloads.yaml").exit_code == 2


def test_quiet_prints_findings_and_errors_only(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [Pod\n")
    result = lint("--quiet", "workloads.yaml", "template.yaml", str(broken))
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 3
    assert all(": KT00" in line for line in result.stdout.splitlines())
    assert result.stderr.startswith(f"{broken}:2:1: error: invalid YAML")
    assert "skipped" not in result.stderr


def test_quiet_on_clean_input_prints_nothing() -> None:
    result = lint("-q", "no-token.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_default_text_output_keeps_the_summary_and_the_skipped_notice() -> None:
    result = lint("workloads.yaml", "template.yaml")
    assert result.stdout.splitlines()[-1] == (
        "Found 3 finding(s) (1 error, 2 warnings) in 2 file(s). 1 template(s) skipped."
    )
    assert result.stderr.startswith("template.yaml:4:9: skipped: Go template")


def test_github_annotations_name_files_from_the_repository_root_without_dot_slash() -> None:
    result = lint("--format", "github", "./workloads.yaml")
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in result.stdout.splitlines() if "file=" in line}
    assert files == {"workloads.yaml"}

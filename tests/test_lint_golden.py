"""Golden fixtures: every `tests/fixtures/lint/NAME.expected` holds what `k8stoken lint NAME.yaml` (or the
folder NAME/) must report, one line per finding, input error or skipped template:

    path:line:col: CODE [severity] (Kind/name)
    path:line:col: error
    path:line:col: skipped

Only the token-reliance rules run (KT001-KT003, each workload that receives the auto-mounted token gets
exactly one of them); other rules have fixtures of their own. Message prose is not frozen here (targeted
tests check its key facts). Lines starting with `#` are comments, except `# target: FILE` (lint FILE
instead of NAME.yaml) and `# args: ...` (extra options).
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES

LINT_FIXTURES = FIXTURES / "lint"
GOLDEN = sorted(LINT_FIXTURES.glob("*.expected"))
TOKEN_RULES = {"KT001", "KT002", "KT003"}
SELECT = ("--select", ",".join(sorted(TOKEN_RULES)))
TEXT_FINDING = re.compile(r"^(?P<where>.+?:\d+:\d+: KT\d{3} \[\w+\]) .+ \((?P<object>[^()]+/[^()]+)\)$")


def report_schema() -> dict:
    return json.loads(resources.files("k8stoken").joinpath("schemas/report.schema.json").read_text())


def golden(expected: Path) -> tuple[str, list[str], list[str]]:
    """(target, extra args, expected lines) of one .expected file."""
    stem = expected.name.removesuffix(".expected")
    target = next((name for name in (f"{stem}.yaml", stem) if (LINT_FIXTURES / name).exists()), None)
    args: list[str] = []
    lines: list[str] = []
    for raw in expected.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# target:"):
            target = line.removeprefix("# target:").strip()
        elif line.startswith("# args:"):
            args = shlex.split(line.removeprefix("# args:"))
        elif line and not line.startswith("#"):
            lines.append(line)
    assert target is not None, f"{expected.name}: no {stem}.yaml or {stem}/ beside it"
    return target, args, lines


def observed(report: dict) -> list[str]:
    lines = [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] ({f['kind']}/{f['name'] or '<unnamed>'})"
        for f in report["findings"]
    ]
    lines += [f"{e['path']}:{e['line']}:{e['column']}: error" for e in report["errors"]]
    lines += [f"{s['path']}:{s['line']}:{s['column']}: skipped" for s in report["skipped"]]
    return lines


def expected_exit_code(lines: list[str]) -> int:
    if any(line.endswith(": error") for line in lines):
        return 2
    return 1 if any(" [" in line for line in lines) else 0


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda path: path.name.removesuffix(".expected"))
def test_json_report_matches_golden(expected: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    target, args, lines = golden(expected)
    monkeypatch.chdir(LINT_FIXTURES)
    result = cli("lint", *SELECT, "--format", "json", *args, target)
    report = result.json()
    jsonschema.validate(report, report_schema())
    assert sorted(observed(report)) == sorted(lines)
    assert result.exit_code == expected_exit_code(lines)
    per_workload = Counter(
        (f["path"], f["kind"], f["namespace"], f["name"]) for f in report["findings"] if f["rule"] in TOKEN_RULES
    )
    assert all(count == 1 for count in per_workload.values()), per_workload


@pytest.mark.parametrize("expected", GOLDEN, ids=lambda path: path.name.removesuffix(".expected"))
def test_text_report_matches_golden(expected: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    target, args, lines = golden(expected)
    monkeypatch.chdir(LINT_FIXTURES)
    result = cli("lint", *SELECT, *args, target)
    *finding_lines, summary = result.stdout.splitlines()
    seen = []
    for line in finding_lines:
        match = TEXT_FINDING.match(line)
        assert match, f"not a finding line: {line!r}"
        seen.append(f"{match['where']} ({match['object']})")
    seen += [
        line.split(": error: ")[0] + ": error" if ": error: " in line else line.split(": skipped: ")[0] + ": skipped"
        for line in result.stderr.splitlines()
    ]
    assert sorted(seen) == sorted(lines)
    assert summary.startswith(("Found ", "No findings"))
    assert result.exit_code == expected_exit_code(lines)

"""Golden fixtures for KT004-KT015: `tests/fixtures/rules/ktNNN-positive.yaml` must give exactly the findings
in `ktNNN-positive.expected` (one `path:line:col: CODE [severity] (Kind/name)` line each) when only that rule
runs, and `ktNNN-negative.yaml` none. Messages are checked by the targeted tests in test_rules_*.py.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"
CATALOGUE = [f"KT{number:03d}" for number in range(4, 16)]
INPUTS = sorted(RULE_FIXTURES.glob("kt*.yaml"))


def expected_lines(path: Path) -> list[str]:
    lines = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def observed_lines(report: dict) -> list[str]:
    return [
        f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] ({f['kind']}/{f['name'] or '<unnamed>'})"
        for f in report["findings"]
    ]


@pytest.mark.parametrize("fixture", INPUTS, ids=lambda path: path.stem)
def test_rule_fixture_matches_golden(fixture: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code = fixture.name.split("-")[0].upper()
    monkeypatch.chdir(RULE_FIXTURES)
    result = cli("lint", "--select", code, "--format", "json", fixture.name)
    report = result.json()
    schema = json.loads(resources.files("k8stoken").joinpath("schemas/report.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["errors"] == []
    assert sorted(observed_lines(report)) == sorted(expected_lines(fixture))
    assert result.exit_code == (1 if expected_lines(fixture) else 0)


@pytest.mark.parametrize("code", CATALOGUE)
def test_every_rule_has_a_firing_and_a_quiet_fixture(code: str) -> None:
    stem = code.lower()
    assert expected_lines(RULE_FIXTURES / f"{stem}-positive.yaml"), f"{stem}-positive.expected lists nothing"
    assert expected_lines(RULE_FIXTURES / f"{stem}-negative.yaml") == []


@pytest.mark.parametrize("fixture", INPUTS, ids=lambda path: path.stem)
def test_rule_fixtures_do_not_trip_other_new_rules(fixture: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixture written for one rule must not, by accident, be wrong in a way another rule reports."""
    code = fixture.name.split("-")[0].upper()
    others = [other for other in CATALOGUE if other != code and other not in INCIDENTAL.get(fixture.stem, ())]
    monkeypatch.chdir(RULE_FIXTURES)
    report = cli("lint", "--select", ",".join(others), "--format", "json", fixture.name).json()
    assert observed_lines(report) == []


# Findings of other rules that a fixture carries on purpose: the neighbouring case another rule owns.
INCIDENTAL = {
    "kt004-negative": ("KT005",),  # 4294967296 s is valid, and above the 86400 s maximum
    "kt005-negative": ("KT004",),  # a quoted lifetime is rejected, not compared with the deadline
    "kt007-negative": ("KT008",),  # automount on with a partial mount is a conflict, not a missing mount
    "kt008-negative": ("KT007",),  # automount off with a partial mount is a missing mount, not a conflict
    "kt008-positive": ("KT010",),  # a Secret at the token path
    "kt015-negative": ("KT010",),  # a legacy token Secret is a token, for KT015
}

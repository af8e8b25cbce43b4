"""Shared test helpers: where fixtures live, and the CLI run in-process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from k8stoken.cli import main

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
# Read-only material kept beside the project (../shared from the project root); absent on most machines.
SHARED = PROJECT_ROOT / ".." / "shared"


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """Run `k8stoken ARGS...` in-process; exceptions propagate so a traceback fails the test."""
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None, env: dict | None = None) -> CliResult:
        result = runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke

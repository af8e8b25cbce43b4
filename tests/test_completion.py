"""Shell completion comes from click: `_K8STOKEN_COMPLETE=<shell>_source k8stoken` prints the script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from k8stoken.cli import main


def complete(words: str, index: int) -> list[str]:
    env = {"_K8STOKEN_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(index)}
    result = CliRunner().invoke(main, [], prog_name="k8stoken", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_documented_variable_prints_a_completion_script(shell: str) -> None:
    result = CliRunner().invoke(main, [], prog_name="k8stoken", env={"_K8STOKEN_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert "_K8STOKEN_COMPLETE" in result.stdout and "k8stoken" in result.stdout


def test_commands_complete() -> None:
    assert complete("k8stoken t", 1) == ["plain,token"]
    assert set(complete("k8stoken ", 1)) >= {"plain,lint", "plain,fix", "plain,token", "plain,explain", "plain,rules"}


def test_format_values_complete() -> None:
    assert complete("k8stoken lint --format s", 3) == ["plain,sarif"]
    assert complete("k8stoken token --format ", 3) == ["plain,text", "plain,json"]


def test_paths_are_left_to_the_shell() -> None:
    assert complete("k8stoken lint exa", 2) == ["file,exa"]


def test_installed_console_script_uses_the_documented_variable() -> None:
    beside_python = Path(sys.executable).with_name("k8stoken")
    script = str(beside_python) if beside_python.exists() else shutil.which("k8stoken")
    if script is None:
        pytest.skip("the k8stoken console script is not on PATH")
    env = {**os.environ, "_K8STOKEN_COMPLETE": "bash_source"}
    result = subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "complete -o nosort -F _k8stoken_completion k8stoken" in result.stdout

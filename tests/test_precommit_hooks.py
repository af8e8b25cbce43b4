"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this repository.

`pre-commit try-repo` clones the repository at a revision, and these tests pass the committed HEAD:
they test what git holds, not the working tree. Commit a change to the hooks, the package or its
metadata before expecting it here. CI runs from a clean clone, where HEAD is exactly the code under
test. pre-commit builds the hook's virtualenv with pip, which needs the package registry: deselect
offline with `pytest -m "not network"`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from k8stoken.cli import main

ROOT = Path(__file__).resolve().parents[1]

LONG_CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-export
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      activeDeadlineSeconds: 14400
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: export
              image: registry.example.com/export:3
"""

NO_API_DEPLOYMENT = """\
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
      automountServiceAccountToken: false
      containers:
        - name: web
          image: registry.example.com/web:1
"""

pytestmark = pytest.mark.network


def _fix_command_available() -> bool:
    return CliRunner().invoke(main, ["fix", "--help"]).exit_code == 0


def _committed_head() -> str | None:
    if shutil.which("git") is None:
        return None
    result = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "HEAD"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


HEAD = _committed_head()


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    if HEAD is None:
        pytest.skip("pre-commit try-repo needs git and this project as a git repository with a commit")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "export.yaml").write_text(LONG_CRONJOB)
    (tmp_path / "web.yaml").write_text(NO_API_DEPLOYMENT)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    return tmp_path


def try_repo(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *args, "--ref", HEAD, "--color", "never"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GIT_"))}
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=900)


def test_lint_hook_fails_on_a_long_cronjob(manifests: Path) -> None:
    result = try_repo(manifests, "k8stoken-lint", "--files", "jobs/export.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "k8stoken lint" in result.stdout and "Failed" in result.stdout
    assert "jobs/export.yaml:12:11: KT002" in result.stdout


def test_lint_hook_passes_on_a_workload_without_the_token(manifests: Path) -> None:
    result = try_repo(manifests, "k8stoken-lint", "--files", "web.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.skipif(
    not _fix_command_available(),
    reason="`k8stoken fix --help` fails: this build has no fix command for the k8stoken-fix hook",
)
def test_fix_hook_rewrites_then_both_hooks_pass(manifests: Path) -> None:
    export = manifests / "jobs" / "export.yaml"
    first = try_repo(manifests, "k8stoken-fix", "--files", "jobs/export.yaml")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = export.read_text()
    assert fixed.startswith(LONG_CRONJOB.split("      template:")[0])
    assert "automountServiceAccountToken: false" in fixed
    assert "serviceAccountToken:" in fixed
    assert "mountPath: /var/run/secrets/kubernetes.io/serviceaccount" in fixed

    second = try_repo(manifests, "--files", "jobs/export.yaml")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "k8stoken lint" in second.stdout and "k8stoken fix" in second.stdout
    assert "Failed" not in second.stdout
    assert export.read_text() == fixed

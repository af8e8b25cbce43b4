"""The corpus audit: lint on 1,200+ real manifests against an independent model of token mounting.

Needs ../shared (beside the project, absent on most machines: then it skips). One run per repository
of the corpus, about 20 s in all.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, SHARED

AUDIT = SHARED / "tools" / "lint-audit"
CORPUS = SHARED / "corpus"


@pytest.mark.skipif(not (AUDIT.is_file() and CORPUS.is_dir()), reason="../shared/tools and ../shared/corpus are absent")
def test_lint_audit_on_the_corpus_holds_every_check() -> None:
    scripts = Path(sys.executable).parent  # where the k8stoken console script is installed
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "../shared/tools/lint-audit", "--each", "../shared/corpus"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "lint-audit: all checks hold" in result.stdout, result.stdout + result.stderr
    assert re.search(r"recall \d+/\d+ = 1\.000; precision \d+/\d+ = 1\.000", result.stdout), result.stdout
    assert result.returncode == 0

"""fix repairs hand-made token setups in place: each case is an input with its expected output beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPAIRS = Path(__file__).parent / "fixtures" / "repairs"
CASES = {
    "incomplete-projection": "KT006: ca.crt and namespace sources appended to the existing projection",
    "mount-missing": "KT007: the initContainer gets the mount the container already has",
    "yaml11-automount": "KT011: `no` and `off` written as plain false, comments kept",
    "magic-lifetime": "KT013: only the 3607 scalar changes; no second volume",
    "exported-pod": "KT013: the copied kube-api-access volume is rewritten in place, never added beside",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repair_matches_golden_and_is_idempotent(cli, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"{name}.yaml"
    shutil.copyfile(REPAIRS / f"{name}.yaml", target)
    result = cli("fix", str(target))
    assert result.exit_code in (0, 1), result.stderr
    assert target.read_bytes() == (REPAIRS / f"{name}.fixed.yaml").read_bytes(), CASES[name]
    assert cli("fix", "--check", str(target)).exit_code in (0, 1)
    before = target.read_bytes()
    cli("fix", str(target))
    assert target.read_bytes() == before


def test_repairs_leave_no_finding_of_their_rule(cli, tmp_path: Path) -> None:
    for name in CASES:
        shutil.copyfile(REPAIRS / f"{name}.yaml", tmp_path / f"{name}.yaml")
    cli("fix", str(tmp_path))
    result = cli("lint", "--select", "KT006,KT007,KT011", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    # The copied kube-api-access name stays (renaming is left to the user), its 3607 is gone.
    remaining = cli("lint", "--select", "KT013", str(tmp_path)).stdout
    assert "exported-pod.yaml" in remaining and "3607" not in remaining


def test_plain_fix_never_gives_a_token_to_a_workload_that_turned_it_off(cli, tmp_path: Path) -> None:
    target = tmp_path / "bound.yaml"
    shutil.copyfile(REPAIRS / "rbac-bound-opted-out.yaml", target)
    result = cli("fix", str(target))
    assert result.exit_code == 1  # KT015 remains
    assert target.read_bytes() == (REPAIRS / "rbac-bound-opted-out.yaml").read_bytes()


def test_selecting_kt015_mounts_a_token_and_keeps_automount_false(cli, tmp_path: Path) -> None:
    target = tmp_path / "bound.yaml"
    shutil.copyfile(REPAIRS / "rbac-bound-opted-out.yaml", target)
    result = cli("fix", "--select", "KT015", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == (REPAIRS / "rbac-bound-opted-out.selected.yaml").read_bytes()
    assert "automountServiceAccountToken: false" in target.read_text()

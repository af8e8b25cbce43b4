"""fix takes the same --config and --jobs as lint."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "fix"
INPUTS = ("init-containers.yaml", "cronjob.yaml", "list-kind.yaml")


def _tree(root: Path) -> Path:
    root.mkdir()
    for name in INPUTS:
        shutil.copyfile(FIXTURES / name, root / name)
    return root


def test_fix_with_two_jobs_writes_what_one_job_writes(cli, tmp_path: Path) -> None:
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert cli("fix", "--jobs", "1", str(one)).exit_code == 0
    assert cli("fix", "--jobs", "2", str(two)).exit_code == 0
    for name in INPUTS:
        assert (
            (one / name).read_bytes()
            == (two / name).read_bytes()
            == (FIXTURES / name.replace(".yaml", ".fixed.yaml")).read_bytes()
        )


def test_fix_reads_the_configuration_file_it_is_given(cli, tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree")
    config = tmp_path / "settings.yaml"
    config.write_text("exclude: ['**/cronjob.yaml']\n")
    assert cli("fix", "--config", str(config), str(tree)).exit_code == 0
    assert (tree / "cronjob.yaml").read_bytes() == (FIXTURES / "cronjob.yaml").read_bytes()
    assert (tree / "init-containers.yaml").read_bytes() == (FIXTURES / "init-containers.fixed.yaml").read_bytes()

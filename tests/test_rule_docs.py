"""docs/rules/*.md and the README rule table are generated from the rule docstrings and must match them."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from k8stoken.rule_docs import body_markdown, rule_markdown, rules_table

ROOT = Path(__file__).resolve().parents[1]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_docs = _load_generator()


def test_docs_and_readme_table_match_the_rule_docstrings() -> None:
    expected = gen_docs.expected_files(ROOT)
    outdated = [str(path.relative_to(ROOT)) for path, text in expected.items() if gen_docs._read(path) != text]
    stale = [str(path.relative_to(ROOT)) for path in gen_docs.stale_pages(ROOT, expected)]
    assert not outdated and not stale, (
        f"out of date: {outdated}, no such rule: {stale}; run: python scripts/gen_docs.py"
    )


def test_every_builtin_rule_has_a_page_and_a_table_row() -> None:
    readme = (ROOT / "README.md").read_text()
    for rule in gen_docs.builtin_rules():
        page = ROOT / "docs" / "rules" / f"{rule.code}.md"
        assert page.is_file(), f"{page} is missing; run: python scripts/gen_docs.py"
        assert page.read_text().startswith(f"# {rule.code} {rule.name}\n")
        assert f"| [{rule.code}](docs/rules/{rule.code}.md) | `{rule.name}` |" in readme


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    gen_docs.main(["--root", str(tmp_path)])
    return tmp_path


def test_check_fails_on_an_edited_page_and_generation_repairs_it(project_copy: Path, capsys) -> None:
    page = project_copy / "docs" / "rules" / "KT002.md"
    page.write_text(page.read_text().replace("## How to fix", "## How to repair"))
    assert gen_docs.main(["--check", "--root", str(project_copy)]) == 1
    assert f"{page}: out of date with the rule docstrings" in capsys.readouterr().err
    assert gen_docs.main(["--root", str(project_copy)]) == 0
    assert gen_docs.main(["--check", "--root", str(project_copy)]) == 0


def test_check_fails_on_a_page_without_a_rule_and_a_stale_table(project_copy: Path, capsys) -> None:
    (project_copy / "docs" / "rules" / "KT999.md").write_text("# KT999 gone\n")
    readme = project_copy / "README.md"
    readme.write_text(readme.read_text().replace("| [KT001]", "| [KT000]"))
    assert gen_docs.main(["--check", "--root", str(project_copy)]) == 1
    err = capsys.readouterr().err
    assert "KT999.md: no rule with this code" in err and "README.md: out of date" in err
    gen_docs.main(["--root", str(project_copy)])
    assert not (project_copy / "docs" / "rules" / "KT999.md").exists()
    assert gen_docs.main(["--check", "--root", str(project_copy)]) == 0


def test_docstring_sections_become_headings_and_indented_examples_fenced_yaml() -> None:
    doc = """Summary line.

    Why: the token
    expires.

    Fails:

        kind: Pod
        spec:
          containers: []

    How to fix: set it.
    """
    rule = SimpleNamespace(code="KT900", name="example-rule", severity="warning", fixable=False, doc=doc)
    page = rule_markdown(rule)
    assert page.startswith("# KT900 example-rule\n\nSummary line.\n\n| Default severity | Fixable |\n")
    assert "| warning | no |" in page
    assert "## Why\n\nThe token\nexpires.\n\n## Fails\n\n```yaml\nkind: Pod\nspec:\n  containers: []\n```\n" in page
    assert "## How to fix\n\nSet it.\n" in page
    assert "\n\n\n" not in page


def test_indented_text_that_is_not_yaml_is_fenced_as_text() -> None:
    assert body_markdown("Run:\n\n    k8stoken fix --expiration auto .\n") == [
        "## Run",
        "",
        "```text",
        "k8stoken fix --expiration auto .",
        "```",
    ]


def test_table_escapes_pipes_in_summaries() -> None:
    rule = SimpleNamespace(code="KT901", name="x", severity="info", fixable=True, doc="a | b\n")
    assert "| a \\| b |" in rules_table([rule])

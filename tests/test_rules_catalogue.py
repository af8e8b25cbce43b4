"""The catalogue as users see it: `k8stoken rules` and `k8stoken explain`, and each rule's documentation."""

from __future__ import annotations

import re

import pytest
from k8stoken.rules import load_rules

CODES = [f"KT{number:03d}" for number in range(1, 17)]
FIXABLE = {"KT001", "KT002", "KT003", "KT006", "KT007", "KT011", "KT013", "KT015"}
SECTIONS = ("Why:", "Fails:", "Passes:", "How to fix:")


def test_rules_lists_every_builtin_rule_with_severity_and_fixability(cli) -> None:
    result = cli("rules")
    assert result.exit_code == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert list(rows)[: len(CODES)] == CODES
    rules = load_rules()
    for code in CODES:
        _, name, severity, fix, *_ = rows[code]
        assert (name, severity) == (rules[code].name, str(rules[code].severity))
        assert fix == ("yes" if code in FIXABLE else "-")


@pytest.mark.parametrize("code", CODES)
def test_explain_prints_every_section_of_the_rule(cli, code: str) -> None:
    rule = load_rules()[code]
    by_code, by_name = cli("explain", code.lower()), cli("explain", rule.name)
    assert by_code.exit_code == by_name.exit_code == 0
    assert by_code.stdout == by_name.stdout
    assert by_code.stdout.startswith(f"{code} {rule.name} [{rule.severity}]")
    for section in SECTIONS:
        assert re.search(rf"^{re.escape(section)}", by_code.stdout, re.MULTILINE), f"{code} lacks {section}"


def failing_example(code: str) -> str:
    """The first indented block after `Fails:`, unindented."""
    example = load_rules()[code].doc.split("Fails:", 1)[1].split("\n\n", 2)[1]
    return "\n".join(line[4:] for line in example.splitlines())


# Examples that are whole objects (they have a `kind:`), not fragments of a pod spec.
WHOLE_EXAMPLES = [code for code in CODES if "kind:" in failing_example(code)]


def test_most_rules_document_a_whole_object_that_fails() -> None:
    assert len(WHOLE_EXAMPLES) >= 8, WHOLE_EXAMPLES


@pytest.mark.parametrize("code", WHOLE_EXAMPLES)
def test_the_failing_example_in_the_docs_fires_its_rule(cli, code: str) -> None:
    report = cli("lint", "--select", code, "--format", "json", "-", input=failing_example(code)).json()
    assert report["errors"] == []
    assert {finding["rule"] for finding in report["findings"]} == {code}

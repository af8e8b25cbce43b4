"""A lint report as GitHub Actions workflow commands, which the runner turns into file annotations.

`::error file=PATH,line=L,col=C,title=TITLE::MESSAGE`, escaped as the Actions toolkit does:
`%`, CR and LF in the message; additionally `:` and `,` in property values.
"""

from __future__ import annotations

import os
from typing import Any

from .engine import InputProblem, Report
from .report import sort_key
from .rule_api import Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: object) -> str:
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command} {listed}::{escape_data(message)}"


def annotation_lines(report: Report, rules: dict[str, Any], notices: bool = True) -> list[str]:
    """One command per finding and per unreadable input; skipped templates as notices when asked."""
    lines = []
    for finding in sorted(report.findings, key=sort_key):
        rule = rules.get(finding.rule)
        title = f"{finding.rule} {rule.name}" if rule is not None else finding.rule
        message = f"{finding.message} ({finding.kind}/{finding.name or '<unnamed>'})"
        lines.append(
            workflow_command(
                _COMMANDS[finding.severity],
                message,
                file=_repository_path(finding.path),
                line=finding.line,
                col=finding.column,
                title=title,
            )
        )
    lines += [_problem("error", problem, "k8stoken: input not linted") for problem in report.errors]
    if notices:
        lines += [_problem("notice", problem, "k8stoken: template skipped") for problem in report.skipped]
    return lines


def _problem(command: str, problem: InputProblem, title: str) -> str:
    return workflow_command(
        command,
        problem.message,
        file=_repository_path(problem.path),
        line=problem.line,
        col=problem.column,
        title=title,
    )


def _repository_path(path: str) -> str:
    """GitHub matches annotations to files by their path from the repository root: no `./` in front."""
    return path if path == "-" else os.path.normpath(path)

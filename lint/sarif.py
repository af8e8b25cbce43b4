"""A lint report as SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, GitLab) ingest.

One run, the rules that ran as `tool.driver.rules` (help text from their docstrings), one result per
finding with a physical location; inputs that could not be read are tool execution notifications.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .engine import Finding, InputProblem, Report
from .report import sort_key
from .rule_api import Severity
from .rule_docs import body_markdown, first_paragraph, rule_text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def to_sarif(report: Report, rules: dict[str, Any]) -> str:
    codes = list(rules)
    codes += sorted({finding.rule for finding in report.findings} - set(rules))
    index = {code: position for position, code in enumerate(codes)}
    run = {
        "tool": {
            "driver": {
                "name": "k8stoken",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(code, rules.get(code)) for code in codes],
            }
        },
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [_notification(p, "error") for p in report.errors]
                + [_notification(p, "note") for p in report.skipped],
            }
        ],
        "results": [_result(finding, index[finding.rule]) for finding in sorted(report.findings, key=sort_key)],
        "columnKind": "unicodeCodePoints",
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}, indent=2)


def _descriptor(code: str, rule: Any) -> dict:
    if rule is None:
        return {"id": code}
    summary, _, body = rule_text(rule).partition("\n")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary.strip()},
        "fullDescription": {"text": first_paragraph(body) or summary.strip()},
        "help": {"text": rule_text(rule), "markdown": "\n".join([summary.strip(), "", *body_markdown(body, "###")])},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"fixable": rule.fixable, "tags": ["kubernetes", "serviceaccount-token"]},
    }


def _result(finding: Finding, rule_index: int) -> dict:
    location = _physical_location(finding.path, finding.line, finding.column)
    qualified = "/".join(part for part in (finding.namespace, finding.kind, finding.name) if part)
    location["logicalLocations"] = [
        {"name": finding.name or finding.kind, "fullyQualifiedName": qualified, "kind": "object"}
    ]
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "properties": {"fixable": finding.fixable, "kind": finding.kind},
    }


def _notification(problem: InputProblem, level: str) -> dict:
    return {
        "level": level,
        "message": {"text": problem.message},
        "locations": [_physical_location(problem.path, problem.line, problem.column)],
    }


def _physical_location(path: str, line: int, column: int) -> dict:
    return {"physicalLocation": {"artifactLocation": artifact_location(path), "region": _region(line, column)}}


def _region(line: int, column: int) -> dict:
    return {"startLine": max(line, 1), "startColumn": max(column, 1)}


def artifact_location(path: str) -> dict:
    """A file as a URI: relative to the working folder when it lies inside it (what code scanning maps
    to the repository), else an absolute file URI; standard input stays `-`."""
    if path == "-":
        return {"uri": "-"}
    relative = posixpath.normpath(Path(path).as_posix()) if not os.path.isabs(path) else None
    if relative is None or relative == ".." or relative.startswith("../"):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SOURCE_ROOT}

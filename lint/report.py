"""Findings to text or JSON, in a stable order (path, line, column, rule)."""

from __future__ import annotations

from collections import Counter

import click

from .engine import Finding, Report
from .rule_api import Severity

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def sort_key(finding: Finding) -> tuple:
    return (finding.path, finding.line, finding.column, finding.rule)


def summary(report: Report) -> dict:
    by_severity = Counter(str(finding.severity) for finding in report.findings)
    return {
        "files": report.files,
        "objects": report.objects,
        "workloads": report.workloads,
        "findings": len(report.findings),
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "info": by_severity.get("info", 0),
        "unreadable": len(report.errors),
        "skipped": len(report.skipped),
        "suppressed": len(report.suppressed),
    }


def to_json(report: Report) -> str:
    findings = [
        {
            "rule": f.rule,
            "severity": str(f.severity),
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "message": f.message,
            "kind": f.kind,
            "name": f.name,
            "namespace": f.namespace,
            "fixable": f.fixable,
        }
        for f in sorted(report.findings, key=sort_key)
    ]
    document = {
        "findings": findings,
        "errors": _problems(report.errors),
        "skipped": _problems(report.skipped),
        "summary": summary(report),
    }
    import json  # here: the text report, the pre-commit case, does not need it

    return json.dumps(document, indent=2)


def _problems(items: list) -> list[dict]:
    return [{"path": p.path, "line": p.line, "column": p.column, "message": p.message} for p in items]


def text_lines(report: Report, colour: bool) -> list[str]:
    lines = []
    for f in sorted(report.findings, key=sort_key):
        where = f"{f.path}:{f.line}:{f.column}:"
        code = click.style(f.rule, fg=_COLOURS[f.severity], bold=True) if colour else f.rule
        if colour:
            where = click.style(where, bold=True)
        lines.append(f"{where} {code} [{f.severity}] {f.message} ({f.kind}/{f.name or '<unnamed>'})")
    return lines


def problem_lines(report: Report) -> list[str]:
    lines = [f"{p.path}:{p.line}:{p.column}: error: {p.message}" for p in report.errors]
    lines += [f"{p.path}:{p.line}:{p.column}: skipped: {p.message}" for p in report.skipped]
    return lines


def summary_line(report: Report) -> str:
    counts = summary(report)
    if not report.findings:
        text = f"No findings in {counts['files']} file(s)."
    else:
        parts = [
            f"{counts[k]} {label if counts[k] == 1 or label == 'info' else label + 's'}"
            for k, label in (("errors", "error"), ("warnings", "warning"), ("info", "info"))
            if counts[k]
        ]
        text = f"Found {counts['findings']} finding(s) ({', '.join(parts)}) in {counts['files']} file(s)."
    if report.errors:
        text += f" {len(report.errors)} input(s) could not be read."
    if report.skipped:
        text += f" {len(report.skipped)} template(s) skipped."
    if report.suppressed:
        text += f" {len(report.suppressed)} finding(s) suppressed (--no-ignore shows them)."
    return text

"""What a lint report becomes for each --format, and which part goes where.

The report proper (findings, summary, statistics in text) goes to standard output or `--output`;
notes for the person at the terminal (unreadable inputs in text, statistics of machine formats)
go to standard error, so machine-readable output always parses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .engine import Report

FORMATS = ("text", "json", "sarif", "github")


@dataclass(slots=True)
class Rendered:
    report: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def render(
    report: Report,
    rules: dict[str, Any],
    output_format: str,
    *,
    colour: bool = False,
    quiet: bool = False,
    statistics: bool = False,
) -> Rendered:
    """`quiet` keeps findings and unreadable inputs, and drops the summary and skipped-template notices."""
    from .report import problem_lines, summary_line, text_lines

    rendered = Rendered()
    counts = statistics_lines(report, rules) if statistics else []
    if output_format == "text":
        rendered.report = text_lines(report, colour) + counts
        rendered.messages = problem_lines(Report(errors=report.errors) if quiet else report)
        if not quiet:
            rendered.report.append(summary_line(report))
        return rendered
    if output_format == "json":
        from .report import to_json

        rendered.report = [to_json(report)]
    elif output_format == "sarif":
        from .sarif import to_sarif

        rendered.report = [to_sarif(report, rules)]
    elif output_format == "github":
        from .annotations import annotation_lines

        rendered.report = annotation_lines(report, rules, notices=not quiet)
        if not quiet:
            rendered.report.append(summary_line(report))
    else:
        raise ValueError(f"unknown format {output_format!r}")
    rendered.messages = counts
    return rendered


def statistics_lines(report: Report, rules: dict[str, Any]) -> list[str]:
    """Findings per rule, most frequent first: `count  CODE  name`."""
    counts = Counter(finding.rule for finding in report.findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for count in counts.values()), default=1)
    return [
        f"{count:>{width}}  {code}  {rules[code].name if code in rules else ''}".rstrip() for code, count in ordered
    ]

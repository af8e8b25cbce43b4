"""`k8stoken fix` over files: lint, pick the workloads to fix, fix each file, then write, diff or check."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from .engine import Finding, InputProblem, Report, lint
from .fix import FileFix, FixError, FixSettings, fix_text
from .load import BOM, InputError, Source, decode, read
from .rule_api import Settings
from .write import inside, write_atomically

TOKEN_RULES = ("KT001", "KT002", "KT003")


@dataclass(slots=True)
class FileOutcome:
    path: str
    original: str
    fixed: FileFix | None = None
    error: str | None = None
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed.new_text != self.original

    def output(self) -> bytes:
        text = self.fixed.new_text if self.fixed is not None else self.original
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def diff(self) -> str:
        new = self.fixed.new_text if self.fixed is not None else self.original
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{self.path}", f"b/{self.path}"
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass(slots=True)
class FixRun:
    report: Report
    files: list[FileOutcome] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)


def targets_by_file(findings: list[Finding], codes: set[str]) -> dict[str, set[tuple[int, int]]]:
    targets: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for finding in findings:
        if finding.rule in codes:
            targets[finding.path].add((finding.document, finding.index))
    return targets


def run(
    paths: list[str], rules: dict, settings: Settings, fix_settings: FixSettings, stdin: bytes | None = None
) -> FixRun:
    report = lint(paths, rules, settings, stdin=stdin)
    codes = {code for code in TOKEN_RULES if code in rules}
    targets = targets_by_file(report.findings, codes)
    run_result = FixRun(report)
    fixed_objects: set[tuple[str, int, int]] = set()
    for path, wanted in sorted(targets.items()):
        outcome = fix_file(path, wanted, fix_settings, stdin)
        run_result.files.append(outcome)
        if outcome.fixed is not None and outcome.error is None:
            fixed_objects |= {(path, *target) for target in wanted if outcome.changed}
    run_result.remaining = [
        finding
        for finding in report.findings
        if not (finding.rule in codes and (finding.path, finding.document, finding.index) in fixed_objects)
    ]
    return run_result


def fix_file(path: str, targets: set[tuple[int, int]], settings: FixSettings, stdin: bytes | None) -> FileOutcome:
    source = Source(path)
    try:
        text = decode(stdin if source.is_stdin else read(source))
    except InputError as error:
        return FileOutcome(path, "", error=error.message)
    outcome = FileOutcome(path, text.content, bom=text.bom)
    try:
        outcome.fixed = fix_text(path, text.content, targets, settings)
    except (FixError, InputError) as error:
        outcome.error = str(error)
    return outcome


def write(outcome: FileOutcome, roots: list[str]) -> InputProblem | None:
    """Write one fixed file in place; refuse symlinks that lead out of the given paths."""
    if not inside(outcome.path, roots):
        return InputProblem(outcome.path, 1, 1, "symlink points outside the given paths: not written")
    try:
        write_atomically(outcome.path, outcome.output())
    except OSError as error:
        return InputProblem(outcome.path, 1, 1, f"cannot write: {error.strerror or error}")
    return None

"""`k8stoken fix` over files: lint, pick the workloads to fix, fix each file, then write, diff or check."""

from __future__ import annotations

import difflib
import os
from collections import defaultdict
from dataclasses import dataclass, field

from .engine import Finding, InputProblem, Report, lint
from .fix import FileFix, FixError, FixSettings, Target, fix_text
from .load import BOM, InputError, Source, decode, read
from .model import DEFAULT_TABLE, workload_table
from .rule_api import Settings
from .workloads import WorkloadTable
from .write import inside, write_atomically

TOKEN_RULES = ("KT001", "KT002", "KT003")
# What `fix` repairs unless --select narrows it. KT015 (automount off, yet the ServiceAccount has RBAC
# bindings) adds a token to a workload that opted out, so it is fixed only when selected by name.
DEFAULT_FIX_RULES = frozenset({*TOKEN_RULES, "KT006", "KT007", "KT011", "KT013"})
OPT_IN_FIX_RULES = frozenset({"KT015"})


@dataclass(slots=True)
class FileOutcome:
    path: str
    original: str
    fixed: FileFix | None = None
    error: str | None = None
    bom: bool = False
    encoding: str = "utf-8"

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed.new_text != self.original

    def output(self) -> bytes:
        text = self.fixed.new_text if self.fixed is not None else self.original
        return ((BOM if self.bom else "") + text).encode(self.encoding)

    def diff(self) -> str:
        new = self.fixed.new_text if self.fixed is not None else self.original
        shown = os.path.normpath(self.path).lstrip("/")  # `a/./x` or `a//tmp/x` is no path git apply takes
        lines = difflib.unified_diff(
            self.original.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass(slots=True)
class FixRun:
    report: Report
    files: list[FileOutcome] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def targets_by_file(findings: list[Finding], codes: set[str]) -> dict[str, dict[Target, set[str]]]:
    """Per file, the pod specs (document, object, path) to fix and the rules to fix them for."""
    targets: dict[str, dict[Target, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.rule in codes and finding.fixable:
            targets[finding.path][(finding.document, finding.index, finding.pod_spec_path)].add(finding.rule)
    return targets


def manual_fixes(findings: list[Finding]) -> list[str]:
    """Notes for workloads that rely on the default token where fix may not write (custom resources)."""
    seen = set()
    notes = []
    for finding in findings:
        key = (finding.path, finding.document, finding.index)
        if finding.rule in TOKEN_RULES and not finding.fixable and key not in seen:
            seen.add(key)
            notes.append(
                f"{finding.path}:{finding.line}: manual fix required for {finding.kind}/{finding.name}: "
                "its pods are built by an operator whose own fields decide the token (see k8stoken explain "
                "frameworks)"
            )
    return notes


def run(
    paths: list[str],
    rules: dict,
    settings: Settings,
    fix_settings: FixSettings,
    stdin: bytes | None = None,
    opt_in: bool = False,
    jobs: int = 1,
) -> FixRun:
    report = lint(paths, rules, settings, stdin=stdin, jobs=jobs)
    codes = {code for code in rules if code in DEFAULT_FIX_RULES or (code in OPT_IN_FIX_RULES and opt_in)}
    targets = targets_by_file(report.findings, codes)
    run_result = FixRun(report)
    fixed: set[tuple] = set()
    table = workload_table(settings.workloads)
    for path, wanted in sorted(targets.items()):
        outcome = fix_file(path, wanted, fix_settings, stdin, table)
        run_result.files.append(outcome)
        if outcome.changed and outcome.error is None:
            fixed |= {
                (path, *target, rule)
                for target, rules_fixed in wanted.items()
                if target not in outcome.fixed.outlived
                for rule in rules_fixed
            }
    run_result.remaining = [
        finding
        for finding in report.findings
        if (finding.path, finding.document, finding.index, finding.pod_spec_path, finding.rule) not in fixed
    ]
    run_result.notes = manual_fixes(report.findings)
    return run_result


def fix_file(
    path: str,
    targets: dict[Target, set[str]],
    settings: FixSettings,
    stdin: bytes | None,
    table: WorkloadTable = DEFAULT_TABLE,
) -> FileOutcome:
    source = Source(path)
    try:
        text = decode(stdin if source.is_stdin else read(source))
    except InputError as error:
        return FileOutcome(path, "", error=error.message)
    outcome = FileOutcome(path, text.content, bom=text.bom, encoding=text.encoding)
    try:
        outcome.fixed = fix_text(path, text.content, targets, settings, table)
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

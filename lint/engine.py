"""One lint run: sources -> object summaries -> ServiceAccount resolution -> rule findings."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain

from .config import path_matches
from .load import InputError, Source, TemplateSkipped, compose, decode, discover, read
from .model import DEFAULT_TABLE, KubeObject, ServiceAccount, Workload, summarise, workload_table
from .rule_api import Context, Settings, Severity
from .suppress import IgnoredLines, has_unquoted_annotation, ignore_comments, is_suppressed
from .tokens import ServiceAccountIndex
from .workloads import WorkloadKind, WorkloadTable


@dataclass(slots=True)
class Finding:
    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    kind: str
    name: str | None
    namespace: str | None
    fixable: bool
    document: int
    index: int
    pod_spec_path: tuple = ()


@dataclass(frozen=True, slots=True)
class InputProblem:
    """An input that could not be linted (an error) or was skipped on purpose (a notice)."""

    path: str
    line: int
    column: int
    message: str


@dataclass(slots=True)
class ParsedFile:
    path: str
    objects: list[KubeObject] = field(default_factory=list)
    problem: InputProblem | None = None
    skipped: bool = False
    ignored_lines: IgnoredLines = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    errors: list[InputProblem] = field(default_factory=list)
    skipped: list[InputProblem] = field(default_factory=list)
    files: int = 0
    objects: int = 0
    workloads: int = 0


def parse(source: Source, data: bytes | None = None, table: WorkloadTable = DEFAULT_TABLE) -> ParsedFile:
    """Read and summarise one source; input problems become a ParsedFile.problem, never an exception."""
    try:
        text = decode(read(source) if data is None else data)
        objects = summarise(source.path, compose(text.content), table)
        return ParsedFile(source.path, objects, ignored_lines=ignore_comments(text.content))
    except InputError as error:
        problem = InputProblem(source.path, error.line, error.column, error.message)
        return ParsedFile(source.path, problem=problem, skipped=isinstance(error, TemplateSkipped))
    except RecursionError:
        return ParsedFile(source.path, problem=InputProblem(source.path, 1, 1, "YAML nested too deeply"))


# A worker process costs more to start than a few dozen small files take to parse.
MIN_FILES_PER_WORKER = 16
MAX_FILES_PER_CHUNK = 64


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one, as in CPU-limited containers)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _parse_files(extra: tuple[WorkloadKind, ...], paths: list[str]) -> list[ParsedFile]:
    # Workers receive the configuration's own kinds rather than a table: they pickle small and build it once.
    table = workload_table(extra)
    return [parse(Source(path), table=table) for path in paths]


def _pool_context():
    import multiprocessing  # only here: a small run never starts a pool, and importing it takes time

    # fork starts workers in milliseconds with everything imported; macOS frameworks are not fork-safe.
    if sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def parse_all(
    sources: list[Source], stdin: bytes | None = None, jobs: int = 1, workloads: tuple[WorkloadKind, ...] = ()
) -> list[ParsedFile]:
    """Every source parsed, in the order given, with the built-in workload kinds plus `workloads`.

    With jobs > 1, files are parsed by up to that many worker processes in chunks of consecutive files,
    and their summaries come back in order; standard input is parsed here. With jobs 1 (or few files)
    everything runs in this process, without a pool.
    """
    table = workload_table(workloads)
    files = [source.path for source in sources if not source.is_stdin]
    workers = min(jobs, len(files) // MIN_FILES_PER_WORKER)
    if workers < 2:
        return [parse(source, stdin if source.is_stdin else None, table) for source in sources]
    size = max(1, min(MAX_FILES_PER_CHUNK, len(files) // (workers * 8)))
    chunks = [files[start : start + size] for start in range(0, len(files), size)]
    with _pool_context().Pool(workers) as pool:
        parsed = chain.from_iterable(pool.imap(partial(_parse_files, workloads), chunks))
        return [parse(source, stdin, table) if source.is_stdin else next(parsed) for source in sources]


def lint_files(files: Iterable[ParsedFile], rules: dict, settings: Settings) -> Report:
    report = Report()
    objects: list[KubeObject] = []
    ignored_lines: dict[str, IgnoredLines] = {}
    for parsed in files:
        report.files += 1
        if parsed.problem is not None:
            (report.skipped if parsed.skipped else report.errors).append(parsed.problem)
        objects.extend(parsed.objects)
        if parsed.ignored_lines:
            ignored_lines[parsed.path] = parsed.ignored_lines
    report.objects = len(objects)
    report.workloads = sum(isinstance(obj, Workload) for obj in objects)
    accounts = ServiceAccountIndex(obj for obj in objects if isinstance(obj, ServiceAccount))
    context = Context(settings, accounts, objects)
    ignored_rules: dict[str, frozenset[str]] = {}
    for obj in objects:
        if obj.path not in ignored_rules:
            ignored_rules[obj.path] = _per_file_ignores(obj.path, settings)
        for rule in rules.values():
            if rule.code in ignored_rules[obj.path]:
                continue
            for problem in rule.check(obj, context):
                finding = Finding(
                    rule=rule.code,
                    severity=settings.severity.get(rule.code) or problem.severity or rule.severity,
                    path=obj.path,
                    line=problem.position.line,
                    column=problem.position.column,
                    message=problem.message,
                    kind=obj.kind,
                    name=obj.name,
                    namespace=obj.namespace,
                    fixable=rule.fixable and problem.fixable is not False and getattr(obj, "fixable", True),
                    document=obj.document,
                    index=obj.index,
                    pod_spec_path=getattr(obj, "pod_spec_path", ()),
                )
                if not settings.suppressions:
                    report.findings.append(finding)
                elif is_suppressed(rule.code, finding.line, obj, ignored_lines.get(obj.path, {})):
                    report.suppressed.append(finding)
                else:
                    if has_unquoted_annotation(obj):
                        finding.message += (
                            "; note: its k8stoken.io/ignore annotation is not a quoted string, "
                            "so neither the API server nor k8stoken accepts it"
                        )
                    report.findings.append(finding)
    return report


def _per_file_ignores(path: str, settings: Settings) -> frozenset[str]:
    codes: frozenset[str] = frozenset()
    for pattern, ignored in settings.per_file_ignores:
        if path_matches(path, (pattern,), settings.root):
            codes |= ignored
    return codes


def lint(paths: list[str], rules: dict, settings: Settings, stdin: bytes | None = None, jobs: int = 1) -> Report:
    sources, missing = discover(paths)
    if settings.exclude:
        sources = [source for source in sources if not path_matches(source.path, settings.exclude, settings.root)]
    with without_cycle_collection():
        parsed = parse_all(sources, stdin, jobs, settings.workloads)
        parsed += [ParsedFile(path, problem=InputProblem(path, 1, 1, "no such file or folder")) for path in missing]
        return lint_files(parsed, rules, settings)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector (worker processes inherit the pause).

    Composing creates millions of small objects that reference counting frees; summaries and findings
    hold no cycles. The collector would still rescan everything kept so far, again and again: about
    half the time of a large run, for nothing to collect.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

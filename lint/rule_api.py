"""What a rule receives and what it yields: the whole contract between rules and the engine.

A rule is a module (or any object) with ``CODE``, ``NAME``, ``SEVERITY``, ``FIXABLE``, a
docstring (its documentation: what it catches, why, an example, how to fix) and
``check(obj, context)``, a generator of :class:`Problem`. ``obj`` is a summarised Kubernetes
object (:class:`~k8stoken.model.Workload` for anything that carries a pod spec); rules never
see raw text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .model import KubeObject, Workload
from .references import References
from .tokens import DEFAULT_LONG_RUNNING_THRESHOLD, AutomountVerdict, ServiceAccountIndex, receives_default_token
from .workloads import WorkloadKind
from .yaml_nodes import Position


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding as a rule reports it; the engine adds the file, object and rule."""

    position: Position
    message: str
    severity: Severity | None = None
    # False when this finding, unlike the rule's others, is beyond what `k8stoken fix` rewrites.
    fixable: bool | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run is told by the configuration file and the command line."""

    long_running_threshold: int = DEFAULT_LONG_RUNNING_THRESHOLD
    max_expiration: int = 86400
    audience: str | None = None
    # Rule code -> severity that replaces the rule's own.
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # Glob patterns, relative to `root` (the configuration file's folder) unless they name a bare file or folder.
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    root: str = "."
    # False with --no-ignore: `k8stoken.io/ignore` annotations and `# k8stoken: ignore` comments are not honoured.
    suppressions: bool = True
    # The configuration's own kinds that carry pod specs (`workloads:`), added to the built-in table.
    workloads: tuple[WorkloadKind, ...] = ()


class Context:
    """The run as a rule sees it: settings and ServiceAccount resolution across all inputs."""

    def __init__(self, settings: Settings, accounts: ServiceAccountIndex, objects: Sequence[KubeObject] = ()) -> None:
        self.settings = settings
        self.accounts = accounts
        self.objects = objects
        self._verdicts: dict[int, AutomountVerdict] = {}
        self._references: References | None = None

    def automount(self, workload: Workload) -> AutomountVerdict:
        key = id(workload)
        if key not in self._verdicts:
            self._verdicts[key] = self.accounts.automount(workload)
        return self._verdicts[key]

    def receives_default_token(self, workload: Workload) -> bool:
        return receives_default_token(workload, self.automount(workload))

    @property
    def references(self) -> References:
        """Secrets and role bindings of the run, indexed on first use."""
        if self._references is None:
            self._references = References(self.objects)
        return self._references

"""What a rule receives and what it yields: the whole contract between rules and the engine.

A rule is a module (or any object) with ``CODE``, ``NAME``, ``SEVERITY``, ``FIXABLE``, a
docstring (its documentation: what it catches, why, an example, how to fix) and
``check(obj, context)``, a generator of :class:`Problem`. ``obj`` is a summarised Kubernetes
object (:class:`~k8stoken.model.Workload` for anything that carries a pod spec); rules never
see raw text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .model import Workload
from .tokens import DEFAULT_LONG_RUNNING_THRESHOLD, AutomountVerdict, ServiceAccountIndex, receives_default_token
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


@dataclass(frozen=True, slots=True)
class Settings:
    long_running_threshold: int = DEFAULT_LONG_RUNNING_THRESHOLD
    max_expiration: int = 86400
    audience: str | None = None


class Context:
    """The run as a rule sees it: settings and ServiceAccount resolution across all inputs."""

    def __init__(self, settings: Settings, accounts: ServiceAccountIndex) -> None:
        self.settings = settings
        self.accounts = accounts
        self._verdicts: dict[int, AutomountVerdict] = {}

    def automount(self, workload: Workload) -> AutomountVerdict:
        key = id(workload)
        if key not in self._verdicts:
            self._verdicts[key] = self.accounts.automount(workload)
        return self._verdicts[key]

    def receives_default_token(self, workload: Workload) -> bool:
        return receives_default_token(workload, self.automount(workload))

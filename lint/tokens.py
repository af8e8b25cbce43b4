"""Whether a workload receives the auto-mounted token, who decided it, and how long it runs."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .model import ServiceAccount, Workload
from .yaml_nodes import Position

DEFAULT_TOKEN_SECONDS = 3607
DEFAULT_LONG_RUNNING_THRESHOLD = 3000
# What the API server accepts for activeDeadlineSeconds: 1 to 2**31 - 1 in a pod spec (validation); any
# int64 from 0 in a Job (0 ends it at once), the same bound for the custom resources that hold one.
POD_DEADLINE_RANGE = (1, 2**31 - 1)
JOB_DEADLINE_RANGE = (0, 2**63 - 1)


@dataclass(frozen=True, slots=True)
class AutomountVerdict:
    """The effective automountServiceAccountToken and the sentence that explains it."""

    enabled: bool
    reason: str


class ServiceAccountIndex:
    """ServiceAccounts of one run, by name; an object without a namespace matches by name alone."""

    def __init__(self, accounts: Iterable[ServiceAccount]) -> None:
        self._by_name: dict[str, list[ServiceAccount]] = defaultdict(list)
        for account in accounts:
            if account.name:
                self._by_name[account.name].append(account)

    def candidates(self, name: str, namespace: str | None) -> list[ServiceAccount]:
        return [
            account
            for account in self._by_name.get(name, ())
            if namespace is None or account.namespace in (None, namespace)
        ]

    def automount(self, workload: Workload) -> AutomountVerdict:
        """Pod value wins, then the ServiceAccount's, else the API server's default (true)."""
        own = workload.automount
        if own is not None and isinstance(own.value, bool):
            return AutomountVerdict(own.value, f"the pod spec sets automountServiceAccountToken: {_word(own.value)}")
        name = workload.service_account_ref
        accounts = self.candidates(name, workload.namespace)
        if not accounts:
            return AutomountVerdict(True, _absent(name))
        values = {_account_value(account) for account in accounts}
        where = _places(accounts)
        if len(values) > 1:
            return AutomountVerdict(
                True, f'ServiceAccount "{name}" is defined more than once with different automount values ({where})'
            )
        enabled = values.pop()
        setting = "sets" if accounts[0].automount is not None else "leaves the default,"
        return AutomountVerdict(
            enabled, f'ServiceAccount "{name}" ({where}) {setting} automountServiceAccountToken: {_word(enabled)}'
        )


PLACES_SHOWN = 3


def _places(accounts: list[ServiceAccount]) -> str:
    """Where the accounts are defined; a few of them when there are many (one per namespace, say)."""
    listed = ", ".join(f"{account.path}:{account.position.line}" for account in accounts[:PLACES_SHOWN])
    return listed if len(accounts) <= PLACES_SHOWN else f"{listed} and {len(accounts) - PLACES_SHOWN} more"


def _account_value(account: ServiceAccount) -> bool:
    # A non-boolean value is rejected by the API server, so it cannot disable anything.
    value = account.automount.value if account.automount is not None else True
    return value if isinstance(value, bool) else True


def _absent(name: str) -> str:
    if name == "default":
        return 'it runs as the "default" ServiceAccount, which is not in the input (assumed to allow automount)'
    return f'ServiceAccount "{name}" is not in the input (assumed to allow automount)'


def _word(value: bool) -> str:
    return "true" if value else "false"


def receives_default_token(workload: Workload, verdict: AutomountVerdict) -> bool:
    """True when admission would add the token volume: automount on and nothing at the token path."""
    return verdict.enabled and bool(workload.containers) and not workload.mounts_token_path


class Lifetime(enum.Enum):
    SHORT = "short"
    DEADLINE_OUTLIVES_TOKEN = "deadline-outlives-token"
    INVALID_DEADLINE = "invalid-deadline"
    UNBOUNDED_BATCH = "unbounded-batch"
    LONG_RUNNING = "long-running"


def invalid_deadline(workload: Workload) -> str | None:
    """Why an activeDeadlineSeconds would be rejected by the API server, if it would."""
    for field, (lowest, highest) in (
        (workload.job_deadline, JOB_DEADLINE_RANGE),
        (workload.pod_deadline, POD_DEADLINE_RANGE),
    ):
        if field is None or field.value is None:  # `activeDeadlineSeconds:` or `~` is null: no deadline
            continue
        value = field.value
        if not isinstance(value, int) or isinstance(value, bool):
            return f"activeDeadlineSeconds {field.spelling!r} (line {field.position.line}) is not an integer"
        if not lowest <= value <= highest:
            return f"activeDeadlineSeconds {value} (line {field.position.line}) is out of range"
    return None


def lifetime(workload: Workload, threshold: int) -> Lifetime:
    """How long the pods of a workload live, as far as the manifest tells."""
    if workload.long_running_kind:
        return Lifetime.LONG_RUNNING
    if invalid_deadline(workload):
        return Lifetime.INVALID_DEADLINE
    deadline = workload.deadline
    if deadline is not None:
        return Lifetime.DEADLINE_OUTLIVES_TOKEN if deadline.value > threshold else Lifetime.SHORT
    if workload.batch_kind:
        return Lifetime.UNBOUNDED_BATCH
    if (workload.restart_policy or "Always") == "Always":
        return Lifetime.LONG_RUNNING
    return Lifetime.SHORT


def reliance(workload: Workload, verdict: AutomountVerdict) -> str:
    """Why this pod gets the auto-mounted token, for a finding's message."""
    reason = verdict.reason
    elsewhere = [v.name for v in workload.volumes if v.token is not None]
    if elsewhere:
        reason += (
            f'; its projected token volume "{elsewhere[0]}" is not mounted at the default path, '
            "so in-cluster clients still read the auto-mounted token"
        )
    return reason


def anchor(workload: Workload) -> Position:
    """Where a token finding points: the automount key if present, else the pod spec, else the kind line.

    Only places inside the object count: a pod spec shared through a YAML alias lives in the object
    that defines the anchor.
    """
    candidates = (workload.automount.position if workload.automount is not None else None, workload.pod_spec_position)
    inside = (p for p in candidates if p is not None and workload.first_line <= p.line <= workload.last_line)
    return next(inside, workload.position)

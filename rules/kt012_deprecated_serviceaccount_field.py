"""A pod spec names its ServiceAccount with the deprecated `serviceAccount` field.

Why: `serviceAccount` is the deprecated alias of `serviceAccountName`. Alone it still works (the
API server copies it over), but tools that read only `serviceAccountName` (policy engines,
linters, this one's peers) think the pod runs as `default`. When both are set and differ,
`serviceAccountName` silently wins: the pod runs with another identity, other RBAC permissions
and possibly another automount setting than the author read in the manifest.

Fails:

    spec:
      serviceAccount: reporting
      serviceAccountName: default
      containers:
      - name: app
        image: registry.example.com/app:1

Passes: `serviceAccountName: reporting` alone.

How to fix: rename `serviceAccount` to `serviceAccountName`, or delete it when both are set, after
checking which ServiceAccount the pod is meant to run as.
"""

from k8stoken.model import Workload
from k8stoken.rule_api import Problem, Severity

CODE = "KT012"
NAME = "deprecated-serviceaccount-field"
SEVERITY = Severity.WARNING
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload) or not obj.podspec:  # Spark names its field serviceAccount
        return
    old, new = obj.service_account, obj.service_account_name
    if old is None or not isinstance(old.value, str) or not old.value:
        return
    if new is None or not isinstance(new.value, str) or not new.value:
        yield Problem(
            old.position,
            f"{obj.label}: serviceAccount is deprecated and ignored by tools that read serviceAccountName; "
            f"write serviceAccountName: {old.value}",
        )
    elif new.value != old.value:
        yield Problem(
            old.position,
            f'{obj.label}: serviceAccount "{old.value}" and serviceAccountName "{new.value}" differ: '
            f'serviceAccountName wins, so the pod runs as "{new.value}"; delete serviceAccount',
            Severity.ERROR,
        )

"""A short-lived pod receives the auto-mounted ServiceAccount token.

Why: on clusters whose ServiceAccount issuer does not extend tokens (AKS with the OIDC issuer or
workload identity enabled), the token mounted at /var/run/secrets/kubernetes.io/serviceaccount is
a bound token that expires after one hour. A pod that ends well within the hour (a Job with a
short activeDeadlineSeconds, a run-once Pod) is unlikely to outlive it, so this is a warning, not
an error: the pod still depends on a credential that will not outlive an hour.

Fails:

    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate}
    spec:
      activeDeadlineSeconds: 600
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: migrate
            image: registry.example.com/migrate:1

Passes: the same Job with `automountServiceAccountToken: false` in the pod spec (or on its
ServiceAccount) when it never calls the API, or with a projected token mounted at the token path.

How to fix: if the pod never calls the Kubernetes API, set `automountServiceAccountToken: false`.
If it does, use a client that re-reads the token file (client-go >= 1.21, the official Python
client >= 24 with `load_incluster_config` refresh), or run `k8stoken fix` to project a token with
a longer `expirationSeconds`.
"""

from k8stoken.frameworks import framework_note, manual_cure
from k8stoken.model import Workload
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import Lifetime, anchor, lifetime, reliance

CODE = "KT001"
NAME = "default-token-mount"
SEVERITY = Severity.WARNING
FIXABLE = True


def check(obj, context):
    if not isinstance(obj, Workload) or not context.receives_default_token(obj):
        return
    if lifetime(obj, context.settings.long_running_threshold) is not Lifetime.SHORT:
        return
    deadline = obj.deadline
    runtime = f"ends within {deadline.value}s (activeDeadlineSeconds)" if deadline else "runs to completion"
    manual = "" if obj.fixable else f"; {manual_cure(obj)}"
    yield Problem(
        anchor(obj),
        f"{obj.label} receives the auto-mounted ServiceAccount token ({reliance(obj, context.automount(obj))}); "
        f"it {runtime}, but the token is a bound 1-hour token on clusters that do not extend it: "
        "set automountServiceAccountToken: false if it never calls the API, else use a client that reloads the token"
        f"{manual}{framework_note(obj)}",
        fixable=obj.fixable,
    )

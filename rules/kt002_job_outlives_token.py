"""A Job or CronJob can run longer than the auto-mounted ServiceAccount token lives.

Why: the token that Kubernetes mounts at /var/run/secrets/kubernetes.io/serviceaccount is a
bound token; where the issuer does not extend it (AKS with the OIDC issuer, any cluster with
`--service-account-extend-token-expiration=false`) it expires after about one hour (3607 s).
A batch pod whose client reads the token once (Spark drivers, Airflow tasks, many home-made
scripts) starts failing with 401 Unauthorized after an hour, deep into its run.

The rule fires, as an error, when the pod's runtime limit (`activeDeadlineSeconds` of the Job,
the CronJob's job template or the pod spec, whichever is shortest) is longer than the
long-running threshold (default 3000 s, just under the token's 3607 s; `--long-running-threshold`),
and as a warning when a Job or CronJob has no runtime limit at all.
`startingDeadlineSeconds` is not a runtime limit. An `activeDeadlineSeconds` the API server
would reject (a quoted number; in a pod spec zero, negative or above 2147483647; in a Job negative
or beyond a 64-bit integer) is reported as an error of its own.

Custom resources: Argo Workflows (`spec.activeDeadlineSeconds`), KubeRay RayJob and RayCronJob,
JobSet, Volcano Job, KEDA ScaledJob and Kubeflow training jobs are batch workloads too, with the
deadline read where each kind keeps it, and the message says why that framework's pods need the
API (`k8stoken explain frameworks`). Argo pods are built by the controller: their finding is
not fixable by `k8stoken fix`.

Fails:

    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly-export}
    spec:
      schedule: "0 2 * * *"
      jobTemplate:
        spec:
          activeDeadlineSeconds: 14400
          template:
            spec:
              restartPolicy: OnFailure
              containers:
              - name: export
                image: registry.example.com/export:3

Passes: the same CronJob with a projected token that lives longer than the deadline:
`k8stoken fix --expiration auto` writes one (at least 3600 s, rounded up to cover the deadline,
at most 86400 s).

How to fix: a client that re-reads the token file is the cure. As a stop-gap, run
`k8stoken fix --expiration auto`: it disables the automatic mount and projects a token with a
lifetime that covers the deadline, with `ca.crt` and `namespace` beside it, at the same path.
"""

from k8stoken.frameworks import framework_note, manual_cure
from k8stoken.model import Workload
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import DEFAULT_TOKEN_SECONDS, Lifetime, anchor, invalid_deadline, lifetime, reliance

CODE = "KT002"
NAME = "job-outlives-token"
SEVERITY = Severity.ERROR
FIXABLE = True

CURE = (
    "a client that reloads the token is the cure; k8stoken fix --expiration auto projects one that covers the deadline"
)


def check(obj, context):
    if not isinstance(obj, Workload) or not context.receives_default_token(obj):
        return
    span = lifetime(obj, context.settings.long_running_threshold)
    why = reliance(obj, context.automount(obj))
    manual = "" if obj.fixable else f"; {manual_cure(obj)}"
    note = framework_note(obj)
    if span is Lifetime.DEADLINE_OUTLIVES_TOKEN:
        deadline = obj.deadline
        cure = CURE if obj.fixable else f"a client that reloads the token is the cure{manual}"
        yield Problem(
            anchor(obj),
            f"{obj.label} may run for {deadline.value}s (activeDeadlineSeconds, line {deadline.position.line}), "
            f"longer than the {DEFAULT_TOKEN_SECONDS}s auto-mounted token it relies on ({why}); "
            f"a client that reads the token once gets 401 after an hour: {cure}{note}",
            fixable=obj.fixable,
        )
    elif span is Lifetime.UNBOUNDED_BATCH:
        yield Problem(
            anchor(obj),
            f"{obj.label} has no activeDeadlineSeconds, so its pods may outlive the 1-hour auto-mounted token "
            f"they rely on ({why}): set a deadline, and use a client that reloads the token{manual}{note}",
            Severity.WARNING,
            fixable=obj.fixable,
        )
    elif span is Lifetime.INVALID_DEADLINE:
        yield Problem(
            anchor(obj),
            f"{obj.label}: {invalid_deadline(obj)}, which the API server rejects; "
            f"its pods rely on the auto-mounted token ({why}){manual}{note}",
            fixable=obj.fixable,
        )

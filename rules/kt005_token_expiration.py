"""A projected token lives shorter than its Job may run, or longer than the clusters allow.

Why: a projected ServiceAccount token is valid for `expirationSeconds` (default 3600). The kubelet
writes a fresh one before it expires, but a client that reads the token once keeps using the old
one: a Job whose `activeDeadlineSeconds` is longer than the token's lifetime fails with
401 Unauthorized part-way through. This is checked for the token mounted at
/var/run/secrets/kubernetes.io/serviceaccount, the one in-cluster clients read.

In the other direction, API servers started with `--service-account-max-token-expiration`
silently issue shorter tokens than asked for (AKS caps them at 24 hours), and the kubelet
rotates a token after 24 hours anyway, so a lifetime above the maximum (default 86400,
`max-expiration` in the configuration) promises something no cluster keeps. That is checked for
every projected token.

Fails:

    apiVersion: batch/v1
    kind: Job
    metadata: {name: backfill}
    spec:
      activeDeadlineSeconds: 14400
      template:
        spec:
          restartPolicy: Never
          automountServiceAccountToken: false
          containers:
          - name: backfill
            image: registry.example.com/backfill:2
            volumeMounts:
            - {name: sa-token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
          volumes:
          - name: sa-token
            projected:
              sources:
              - serviceAccountToken: {path: token, expirationSeconds: 3600}
              - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
              - downwardAPI: {items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]}

Passes: the same Job with `expirationSeconds: 14400` (or more, up to 86400).

How to fix: give the token a lifetime that covers the deadline and stays within 86400 seconds;
better, use a client that re-reads the token file, which makes the lifetime irrelevant.
"""

from k8stoken.model import Workload
from k8stoken.projection import DEFAULT_PROJECTED_EXPIRATION, lifetime_seconds, token_path_volumes, token_volumes
from k8stoken.rule_api import Problem, Severity

CODE = "KT005"
NAME = "token-expiration"
SEVERITY = Severity.WARNING
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    maximum = context.settings.max_expiration
    at_token_path = {id(volume) for volume in token_path_volumes(obj)}
    deadline = obj.deadline
    for volume in token_volumes(obj):
        seconds = lifetime_seconds(volume)
        if seconds is None:
            continue
        expiration = volume.token.expiration
        explicit = expiration is not None and expiration.value is not None
        where = expiration.position if explicit else volume.token.position
        lifetime = f"{seconds}s" if explicit else f"{DEFAULT_PROJECTED_EXPIRATION}s, the default"
        if seconds > maximum:
            yield Problem(
                where,
                f'{obj.label}: projected token volume "{volume.name}" asks for {seconds}s, more than the maximum of '
                f"{maximum}s: API servers with --service-account-max-token-expiration (AKS: 24 h) issue a shorter "
                "token without telling, and the kubelet rotates it after 24 h anyway",
            )
        elif id(volume) in at_token_path and deadline is not None and deadline.value > seconds:
            yield Problem(
                where,
                f"{obj.label} may run for {deadline.value}s (activeDeadlineSeconds, line {deadline.position.line}), "
                f'longer than its projected token "{volume.name}" lives ({lifetime}): a client that reads the token '
                "once gets 401 before the end; raise expirationSeconds to cover the deadline, or use a client that "
                "reloads the token",
            )

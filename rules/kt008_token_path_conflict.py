"""Containers of one pod disagree about what is at the token path.

Why: admission adds the auto-mounted token to every container that has nothing mounted at
/var/run/secrets/kubernetes.io/serviceaccount. If automount is still on while some containers
mount a hand-written projection (or anything else) there, the other containers silently get the
auto-mounted 1-hour token instead: the half-done fix works in one container and not in its
neighbours. Two mounts at that path in one container are rejected by the API server
(`mountPath: must be unique`).

Fails:

    spec:
      containers:
      - name: app
        image: registry.example.com/app:1
        volumeMounts:
        - {name: sa-token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
      - name: metrics
        image: registry.example.com/metrics:1
      volumes:
      - name: sa-token
        projected: {sources: [serviceAccountToken: {path: token}]}

Passes: `automountServiceAccountToken: false` in the pod spec and the `sa-token` mount in
`metrics` too (what `k8stoken fix` writes).

How to fix: set `automountServiceAccountToken: false` and mount the same projected volume in
every container; keep one mount at the token path per container.
"""

from k8stoken.model import Workload
from k8stoken.projection import container_label
from k8stoken.rule_api import Problem, Severity

CODE = "KT008"
NAME = "token-path-conflict"
SEVERITY = Severity.WARNING
FIXABLE = False


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    for container in obj.containers:
        first, *others = container.token_mounts or [None]
        for duplicate in others:
            consequence = (
                "the API server rejects duplicate mount paths"
                if duplicate.path == first.path
                else "only one of them is visible to the container"
            )
            yield Problem(
                duplicate.position,
                f'{obj.label}: {container_label(container)} mounts "{duplicate.volume}" at '
                f'/var/run/secrets/kubernetes.io/serviceaccount, where "{first.volume}" is already mounted: '
                f"{consequence}",
                Severity.ERROR,
            )
    holders = [container for container in obj.containers if container.token_mounts]
    if not holders or len(holders) == len(obj.containers):
        return
    verdict = context.automount(obj)
    if not verdict.enabled:
        return
    first = holders[0]
    for container in obj.containers:
        if not container.token_mounts:
            yield Problem(
                container.position,
                f"{obj.label}: {container_label(container)} gets the auto-mounted token while "
                f'{container_label(first)} mounts volume "{first.token_mounts[0].volume}" at the token path: '
                f"automount is still on ({verdict.reason}); set automountServiceAccountToken: false and mount "
                "the same volume in every container",
            )

"""Automount is off and a projected token is mounted, but not in every container.

Why: with `automountServiceAccountToken: false` (on the pod or its ServiceAccount) no container
gets the auto-mounted token; only containers that mount the hand-written projection have one.
A container or initContainer left out (typically one added later, or an init container that
waits for a Service through the API) has no token at all: its client cannot load the in-cluster
configuration and fails at start. When that container truly never calls the API this is
intended, and worth a `# k8stoken: ignore[KT007]` saying so.

Fails:

    spec:
      automountServiceAccountToken: false
      initContainers:
      - name: wait-for-db
        image: registry.example.com/kubectl-wait:1
      containers:
      - name: app
        image: registry.example.com/app:1
        volumeMounts:
        - {name: sa-token, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
      volumes:
      - name: sa-token
        projected: {sources: [serviceAccountToken: {path: token}]}

Passes: the same pod with the `sa-token` mount in `wait-for-db` too.

How to fix: mount the projected token volume read-only at
/var/run/secrets/kubernetes.io/serviceaccount in every container and initContainer
(`k8stoken fix` adds the missing mounts).
"""

from k8stoken.model import Workload
from k8stoken.projection import container_label, projected_token_mounts
from k8stoken.rule_api import Problem, Severity

CODE = "KT007"
NAME = "token-mount-missing"
SEVERITY = Severity.WARNING
FIXABLE = True


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    verdict = context.automount(obj)
    mounted = projected_token_mounts(obj)
    if verdict.enabled or not mounted:
        return
    volume = mounted[0].volume
    for container in obj.containers:
        if not container.token_mounts:
            yield Problem(
                container.position,
                f'{obj.label}: {container_label(container)} does not mount the projected token volume "{volume.name}" '
                f"at /var/run/secrets/kubernetes.io/serviceaccount, and automount is off ({verdict.reason}): "
                "it has no ServiceAccount token, so any API call from it fails",
            )

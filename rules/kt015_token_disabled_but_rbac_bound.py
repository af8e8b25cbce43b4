"""Automount is off and no token is mounted, yet RBAC grants the ServiceAccount permissions.

Why: a half-done migration: someone set `automountServiceAccountToken: false` (on the pod or its
ServiceAccount) to get rid of the auto-mounted token, but did not mount a projected one. If a
RoleBinding or ClusterRoleBinding in the same input grants the pod's ServiceAccount a role, the
application almost certainly calls the Kubernetes API, and without a token it fails at start
(client-go: `unable to load in-cluster configuration`). Bindings outside the input are not seen,
so without one in the input nothing is reported; nor for pods of the `default` ServiceAccount,
whose bindings usually serve some other pod of the namespace.

Fails:

    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: policy-controller}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: policy-controller}
    subjects:
    - {kind: ServiceAccount, name: policy-controller, namespace: policy}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: policy-controller, namespace: policy}
    spec:
      template:
        spec:
          serviceAccountName: policy-controller
          automountServiceAccountToken: false
          containers:
          - name: controller
            image: registry.example.com/policy-controller:1.14

Passes: the same Deployment with a projected token mounted at
/var/run/secrets/kubernetes.io/serviceaccount in every container.

How to fix: mount a projected token with `ca.crt` and `namespace` at the token path in every
container, or remove the binding if the application never calls the API. `k8stoken fix --select KT015`
adds the projected volume and mounts and keeps `automountServiceAccountToken: false`; plain
`k8stoken fix` never gives a token to a workload that turned it off, so this rule is fixed only when
selected by name.
"""

from k8stoken.model import Workload
from k8stoken.projection import mounts_any_token, volumes_by_name
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import anchor

CODE = "KT015"
NAME = "token-disabled-but-rbac-bound"
SEVERITY = Severity.WARNING
FIXABLE = True


def check(obj, context):
    if not isinstance(obj, Workload) or not obj.containers:
        return
    verdict = context.automount(obj)
    if verdict.enabled or mounts_any_token(obj) or _mounts_token_secret(obj, context):
        return
    account = obj.service_account_ref
    if account == "default":
        # Bindings for the default ServiceAccount usually serve some other pod of the namespace.
        return
    bindings = context.references.bindings(account, obj.namespace)
    if not bindings:
        return
    binding = bindings[0]
    role = f" {binding.role}" if binding.role else " a role"
    others = f" (and {len(bindings) - 1} more)" if len(bindings) > 1 else ""
    yield Problem(
        anchor(obj),
        f"{obj.label} gets no ServiceAccount token ({verdict.reason}) and mounts none, yet {binding.label} "
        f'({binding.path}:{binding.position.line}){others} grants ServiceAccount "{account}"{role}: the application '
        "probably calls the API and will fail at start; mount a projected token at the token path",
    )


def _mounts_token_secret(obj: Workload, context) -> bool:
    """A legacy token Secret of the input mounted anywhere: the application reads its token from there."""
    volumes = volumes_by_name(obj)
    return any(
        (volume := volumes.get(mount.volume or "")) is not None
        and volume.secret_name is not None
        and bool(context.references.token_secrets(volume.secret_name, obj))
        for container in obj.containers
        for mount in container.mounts
    )

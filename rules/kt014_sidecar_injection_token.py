"""A pod marked for sidecar injection gets, or would get, its token by a hand-written mount.

Why: a mutating webhook (Istio, Linkerd, Kuma, the Vault agent injector, Consul) adds containers
at admission, when the pod or its Namespace (if the Namespace is in the input) asks for them.
With automount on, those containers get the auto-mounted token like the others. With automount
off and a projected token mounted by hand, only the containers written in the manifest have the
mount: the injected ones start without a token, and a proxy or agent that needs it (Kuma's data
plane, Vault's agent, older Linkerd proxies) fails. `k8stoken fix` makes
exactly that change, so a pod marked for injection that still relies on the auto-mounted token
is reported too: fix it by hand, not blindly.

Fails:

    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: payments}
    spec:
      template:
        metadata:
          annotations:
            kuma.io/sidecar-injection: enabled
        spec:
          containers:
          - name: app
            image: registry.example.com/payments:3

Passes: the same Deployment when the injected containers do not need the ServiceAccount token
(check the mesh's documentation), with a `# k8stoken: ignore[KT014]` comment saying so.

How to fix: keep automount on for such pods and make the application's client reload its token;
or make the webhook mount the projected token into the containers it injects (most injectors
copy volume mounts from an annotation or a template).
"""

from k8stoken.model import Workload
from k8stoken.projection import projected_token_mounts
from k8stoken.rule_api import Problem, Severity
from k8stoken.tokens import anchor

CODE = "KT014"
NAME = "sidecar-injection-token"
SEVERITY = Severity.WARNING
FIXABLE = False

# Marker on a pod -> the values that ask for injection, and those that refuse it (compared in lower case).
SIDECAR_INJECTION = {
    "sidecar.istio.io/inject": (("true",), ("false",)),
    "linkerd.io/inject": (("enabled",), ("disabled",)),
    "kuma.io/sidecar-injection": (("enabled", "true"), ("disabled", "false")),
    "vault.hashicorp.com/agent-inject": (("true",), ("false",)),
    "consul.hashicorp.com/connect-inject": (("true",), ("false",)),
}
# Marker on a Namespace -> the values that make every pod in it injected, unless the pod refuses.
NAMESPACE_INJECTION = {
    "istio-injection": ("enabled",),
    "istio.io/rev": None,  # any revision
    "linkerd.io/inject": ("enabled",),
    "kuma.io/sidecar-injection": ("enabled", "true"),
}


def _pod_metadata(workload: Workload) -> tuple:
    return (workload.annotations, workload.labels, workload.template_annotations, workload.template_labels)


def injection_marker(workload: Workload, namespace=None) -> str | None:
    """What asks a webhook to add containers to this pod: a marker on it, or on its Namespace object."""
    refused = False
    for values in _pod_metadata(workload):
        for key, (accepted, refusing) in SIDECAR_INJECTION.items():
            value = str(values.get(key, "")).lower()
            if value in accepted:
                return f"{key}: {values[key]}"
            refused = refused or value in refusing
    if namespace is None or refused:
        return None
    for values in (namespace.labels, namespace.annotations):
        for key, accepted in NAMESPACE_INJECTION.items():
            value = values.get(key)
            if value is not None and (accepted is None or str(value).lower() in accepted):
                return f"{key}: {value} on Namespace/{namespace.name}"
    return None


def check(obj, context):
    if not isinstance(obj, Workload) or not obj.containers:
        return
    marker = injection_marker(obj, context.references.namespace(obj.namespace))
    if marker is None:
        return
    if context.receives_default_token(obj):
        yield Problem(
            anchor(obj),
            f"{obj.label} is marked for sidecar injection ({marker}) and relies on the auto-mounted token: "
            "replacing it with a hand-written projection (what k8stoken fix does) leaves the containers injected "
            "at admission without the manual token mount; fix this one by hand",
        )
    elif not context.automount(obj).enabled and projected_token_mounts(obj):
        yield Problem(
            anchor(obj),
            f"{obj.label} is marked for sidecar injection ({marker}) and mounts its token by hand with automount off: "
            "containers injected at admission will not receive the manual token mount",
        )

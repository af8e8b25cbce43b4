"""Admission webhooks that add containers to a pod: their containers would miss a hand-written token mount."""

from __future__ import annotations

from .model import Workload

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

"""A token projected at the token path lacks what in-cluster clients read beside it.

Why: in-cluster clients (client-go's `rest.InClusterConfig`, the Python, Java and .NET clients)
read three files from /var/run/secrets/kubernetes.io/serviceaccount: `token`, `ca.crt` (to trust
the API server) and `namespace`. A hand-written projection that replaces the auto-mounted token
must provide all three: without `ca.crt` TLS verification fails (the Python client refuses to
start), without `namespace` clients that default to their own namespace fail, and a token
projected under another file name than `token` is not found at all. A projection mounted with
`subPath` is never refreshed by the kubelet, so its token simply expires.

Fails:

    volumes:
    - name: sa-token
      projected:
        sources:
        - serviceAccountToken:
            path: token
            expirationSeconds: 86400

mounted at /var/run/secrets/kubernetes.io/serviceaccount: no `ca.crt`, no `namespace`.

Passes:

    volumes:
    - name: sa-token
      projected:
        sources:
        - serviceAccountToken:
            path: token
            expirationSeconds: 86400
        - configMap:
            name: kube-root-ca.crt
            items:
            - {key: ca.crt, path: ca.crt}
        - downwardAPI:
            items:
            - path: namespace
              fieldRef: {fieldPath: metadata.namespace}

How to fix: add the missing sources as above (`k8stoken fix` completes them). Project the token
as `path: token`, and mount the whole volume at the folder, without `subPath`.
"""

from k8stoken.model import Workload
from k8stoken.projection import container_label, inside_token_path, token_path_volumes, volumes_by_name
from k8stoken.rule_api import Problem, Severity

CODE = "KT006"
NAME = "incomplete-token-projection"
SEVERITY = Severity.ERROR
FIXABLE = True

CA_SOURCE = "ca.crt from the kube-root-ca.crt ConfigMap"
NAMESPACE_SOURCE = "the namespace file (downwardAPI metadata.namespace)"


def check(obj, context):
    if not isinstance(obj, Workload):
        return
    for volume in token_path_volumes(obj):
        missing = [
            source
            for source, present in ((CA_SOURCE, volume.ca_cert), (NAMESPACE_SOURCE, volume.namespace_file))
            if not present
        ]
        if missing:
            yield Problem(
                volume.position,
                f'{obj.label}: projected token volume "{volume.name}" is mounted at the token path without '
                f"{' and '.join(missing)}; in-cluster clients read token, ca.crt and namespace from there",
                Severity.WARNING if volume.ca_cert else None,
            )
        if volume.token.path != "token":
            found = f"as {volume.token.path!r}" if volume.token.path else "without a path (the API server requires one)"
            yield Problem(
                volume.token.position,
                f'{obj.label}: projected token volume "{volume.name}" writes its token {found}; clients read '
                "/var/run/secrets/kubernetes.io/serviceaccount/token: use path: token",
                fixable=False,
            )
    volumes = volumes_by_name(obj)
    for container in obj.containers:
        for mount in container.mounts:
            volume = volumes.get(mount.volume or "")
            if mount.sub_path and volume is not None and volume.token is not None and inside_token_path(mount):
                yield Problem(
                    mount.position,
                    f'{obj.label}: {container_label(container)} mounts projected token volume "{volume.name}" with '
                    f"subPath {mount.sub_path!r}: the kubelet never refreshes a subPath mount, so the token expires; "
                    "mount the volume at /var/run/secrets/kubernetes.io/serviceaccount without subPath",
                    fixable=False,
                )

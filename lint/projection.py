"""Hand-written token projections in a pod: which volumes carry a token, and who mounts them where."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import TOKEN_PATH, Container, Field, Mount, Volume, Workload

# The prefix admission gives the volume it injects for the auto-mounted token.
INJECTED_VOLUME_PREFIX = "kube-api-access-"
INJECTED_EXPIRATION = 3607
DEFAULT_PROJECTED_EXPIRATION = 3600
# The API server's validation of serviceAccountToken.expirationSeconds: 10 minutes to 2^32 seconds.
MIN_EXPIRATION, MAX_EXPIRATION = 600, 1 << 32


@dataclass(frozen=True, slots=True)
class TokenMount:
    container: Container
    mount: Mount
    volume: Volume


def volumes_by_name(workload: Workload) -> dict[str, Volume]:
    volumes: dict[str, Volume] = {}
    for volume in workload.volumes:
        if volume.name is not None:
            volumes.setdefault(volume.name, volume)
    return volumes


def token_volumes(workload: Workload) -> list[Volume]:
    """Volumes that project a serviceAccountToken, mounted or not."""
    return [volume for volume in workload.volumes if volume.token is not None]


def projected_token_mounts(workload: Workload) -> list[TokenMount]:
    """Mounts of a token-projecting volume exactly at the token path (where in-cluster clients look)."""
    volumes = volumes_by_name(workload)
    found = []
    for container in workload.containers:
        for mount in container.token_mounts:
            volume = volumes.get(mount.volume or "")
            if volume is not None and volume.token is not None:
                found.append(TokenMount(container, mount, volume))
    return found


def token_path_volumes(workload: Workload) -> list[Volume]:
    """Token-projecting volumes mounted at the token path by at least one container, in volume order."""
    mounted = {id(found.volume) for found in projected_token_mounts(workload)}
    return [volume for volume in workload.volumes if id(volume) in mounted]


def inside_token_path(mount: Mount) -> bool:
    """At the token folder or below it, e.g. a subPath mount of just the token file."""
    path = mount.path
    return isinstance(path, str) and (mount.at_token_path or path.startswith(TOKEN_PATH + "/"))


def mounts_any_token(workload: Workload) -> bool:
    """Something is mounted at the token path, or a projected token is mounted anywhere."""
    if workload.mounts_token_path:
        return True
    volumes = volumes_by_name(workload)
    return any(
        (volume := volumes.get(mount.volume or "")) is not None and volume.token is not None
        for container in workload.containers
        for mount in container.mounts
    )


def container_label(container: Container) -> str:
    kind = "initContainer" if container.group == "initContainers" else "container"
    return f'{kind} "{container.name or "<unnamed>"}"'


def expiration_problem(expiration: Field) -> str | None:
    """Why the API server would reject an expirationSeconds, if it would."""
    value = expiration.value
    if isinstance(value, str):
        quoted = "a quoted string" if expiration.quoted else "not a number"
        return f"expirationSeconds {expiration.spelling!r} is {quoted}; the API server needs an integer"
    if not isinstance(value, int) or isinstance(value, bool):
        return f"expirationSeconds {expiration.spelling!r} is not an integer"
    if value < MIN_EXPIRATION:
        return f"expirationSeconds {value} is below the API server's minimum of {MIN_EXPIRATION} (10 minutes)"
    if value > MAX_EXPIRATION:
        return f"expirationSeconds {value} is above the API server's maximum of {MAX_EXPIRATION} (2^32)"
    return None


def lifetime_seconds(volume: Volume) -> int | None:
    """How long the projected token asks to live (3600 when unset); None when the value is invalid."""
    expiration = volume.token.expiration if volume.token is not None else None
    if expiration is None or expiration.value is None:
        return DEFAULT_PROJECTED_EXPIRATION
    return None if expiration_problem(expiration) else expiration.value


# What `k8stoken fix` writes: the projection admission would inject, with a lifetime of your choice.
DEFAULT_VOLUME_NAME = "k8stoken-sa-token"
DEFAULT_EXPIRATION = 86400
AUTO_FLOOR, AUTO_CEILING = 3600, 86400


def auto_expiration(workload: Workload) -> int:
    """A lifetime that covers a batch pod's deadline: whole hours, within [3600, 86400]."""
    deadline = workload.deadline
    if deadline is None:
        return AUTO_CEILING
    hours = math.ceil(deadline.value / 3600) * 3600
    return max(AUTO_FLOOR, min(AUTO_CEILING, hours))


def token_volume(name: str, expiration: int, audience: str | None) -> dict:
    token: dict = {"path": "token", "expirationSeconds": expiration}
    if audience:
        token["audience"] = audience
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": token},
                CA_SOURCE,
                NAMESPACE_SOURCE,
            ],
        },
    }


CA_SOURCE = {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
NAMESPACE_SOURCE = {
    "downwardAPI": {
        "items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]
    }
}


def token_mount(volume_name: str) -> dict:
    return {"name": volume_name, "mountPath": TOKEN_PATH, "readOnly": True}

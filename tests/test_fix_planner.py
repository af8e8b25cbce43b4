"""Safety nets of the fix planner that the built-in kinds do not reach through the command line."""

from __future__ import annotations

import pytest
from k8stoken.fix import FixError, FixSettings, fix_text
from k8stoken.workloads import WorkloadTable, kind

# A custom resource whose containers are not under initContainers/containers of its pod spec.
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
spec:
  runtime:
    app:
      name: app
      image: registry.example.com/app:1
"""


def test_automount_is_never_turned_off_without_a_container_to_mount_the_token() -> None:
    table = WorkloadTable((kind("Widget", "example.com", "spec.runtime", containers="app"),))
    with pytest.raises(FixError, match="no containers to mount the token in"):
        fix_text("widget.yaml", WIDGET, {(0, 0, ("spec", "runtime")): {"KT003"}}, FixSettings(), table)

"""k8stoken: find and fix workloads that rely on the expiring auto-mounted ServiceAccount token."""

__version__ = "0.1.0"

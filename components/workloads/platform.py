"""The cluster capabilities the workloads depend on, which differ between compute modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi

from components.workloads.registry import AUTO_MODE_EBS_PROVISIONER, EBS_CSI_PROVISIONER


@dataclass(frozen=True)
class Platform:
    """The compute mode and the IngressClass that serves the gateway's Ingress.

    On EKS Auto Mode (`compute_mode` "auto") the cluster's own load balancing
    serves Ingresses, so the gateway creates its IngressClass. On a managed node
    group the AWS Load Balancer Controller serves them, and `ingress_class_name`
    is the class it watches.
    """

    compute_mode: Literal["auto", "node-group"] = "auto"
    ingress_class_name: pulumi.Input[str] | None = None

    @property
    def storage_provisioner(self) -> str:
        """The CSI provisioner of EBS volumes in this compute mode."""
        return AUTO_MODE_EBS_PROVISIONER if self.compute_mode == "auto" else EBS_CSI_PROVISIONER

    @property
    def dns_on_nodes(self) -> bool:
        """Whether CoreDNS runs on each node (Auto Mode) rather than as kube-system pods."""
        return self.compute_mode == "auto"

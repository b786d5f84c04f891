"""Security groups that admit one port from the EKS pods and nothing else."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.naming import child_name, physical_name


def pods_only_security_group(
    parent: pulumi.Resource,
    name: str,
    label: str,
    port: int,
    vpc_id: pulumi.Input[str],
    pod_security_group_id: pulumi.Input[str],
) -> aws.ec2.SecurityGroup:
    """Create a security group named after `label` that admits TCP `port` from the pods.

    Its one ingress rule references the pods' security group. It has no egress rule,
    because a data store accepts connections and opens none.
    """
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.ec2.SecurityGroup(
        child_name(name, "sg"),
        name=physical_name(label),
        description=f"topfans {label}, reachable from the EKS pods only",
        vpc_id=vpc_id,
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        child_name(name, "from-pods"),
        security_group_id=group.id,
        referenced_security_group_id=pod_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=f"{label} port {port} from the EKS pods (cluster security group)",
        opts=child,
    )
    return group

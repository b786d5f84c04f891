"""IAM roles that the pods of one Kubernetes service account assume through EKS Pod Identity."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.iam import assume_role_policy
from components.naming import child_name


def pod_identity_role(
    parent: pulumi.Resource,
    name: str,
    role_name: str,
    policy_arn: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    namespace: str,
    service_account: str,
    depends_on: Sequence[pulumi.Resource] = (),
) -> list[pulumi.Resource]:
    """Create an IAM role for one service account's pods and associate it with them.

    Creates the role `<name>-role` (named `role_name`), which EKS Pod Identity may
    assume, the attachment `<name>-policy` of `policy_arn`, and the Pod Identity
    association `<name>-identity` of `namespace`/`service_account`, created after
    `depends_on`. Returns the attachment and the association. EKS gives a pod its
    credentials only if the association exists when the pod is created, so the
    workload that runs as the service account must wait for both.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        child_name(name, "role"),
        name=role_name,
        assume_role_policy=assume_role_policy("pods.eks.amazonaws.com", tag_session=True),
        opts=child,
    )
    attachment = aws.iam.RolePolicyAttachment(
        child_name(name, "policy"),
        role=role.name,
        policy_arn=policy_arn,
        opts=child,
    )
    association = aws.eks.PodIdentityAssociation(
        child_name(name, "identity"),
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )
    return [attachment, association]

"""The AWS Load Balancer Controller, which serves Ingresses on a managed node group."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.naming import child_name, physical_name
from components.pod_identity import pod_identity_role

CHART = "aws-load-balancer-controller"
CHART_REPOSITORY = "https://aws.github.io/eks-charts"
# Chart 1.17.1 ships controller v2.17.1 (chart 1.x.y carries controller v2.x.y).
CHART_VERSION = "1.17.1"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
INGRESS_CLASS = "alb"
CONTROLLER = "ingress.k8s.aws/alb"
# Load balancers, target groups and security groups the controller creates carry
# this tag, and the policy lets it change or delete only resources that do.
CLUSTER_TAG = "elbv2.k8s.aws/cluster"


def _tagged(actions: list[str], condition: str) -> dict:
    return {
        "Effect": "Allow",
        "Action": actions,
        "Resource": "*",
        "Condition": {"Null": {f"{condition}/{CLUSTER_TAG}": "false"}},
    }


def controller_policy() -> dict:
    """Return the IAM policy the controller needs to run ALBs for Ingresses.

    Reads are unrestricted. Creating a load balancer, target group or security
    group requires the cluster tag on the request. Changing or deleting one
    requires the tag on the resource.
    """
    # NOTE: written for controller v2.17 from its documented permissions; compare
    # with the iam_policy.json of the release when CHART_VERSION moves.
    describe = [
        "iam:CreateServiceLinkedRole",
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeCoipPools",
        "ec2:DescribeIpamPools",
        "ec2:DescribeRouteTables",
        "ec2:GetCoipPoolUsage",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:Describe*",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "cognito-idp:DescribeUserPoolClient",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": describe, "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:DeleteRule",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                    "ec2:CreateSecurityGroup",
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": ["ec2:CreateTags"],
                "Resource": "arn:aws:ec2:*:*:security-group/*",
                "Condition": {
                    "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                    "Null": {f"aws:RequestTag/{CLUSTER_TAG}": "false"},
                },
            },
            _tagged(
                [
                    "elasticloadbalancing:CreateLoadBalancer",
                    "elasticloadbalancing:CreateTargetGroup",
                    "elasticloadbalancing:AddTags",
                ],
                "aws:RequestTag",
            ),
            _tagged(
                [
                    "ec2:CreateTags",
                    "ec2:DeleteTags",
                    "ec2:DeleteSecurityGroup",
                    "elasticloadbalancing:AddTags",
                    "elasticloadbalancing:RemoveTags",
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:DeleteTargetGroup",
                ],
                "aws:ResourceTag",
            ),
        ],
    }


class LoadBalancerController(pulumi.ComponentResource):
    """The AWS Load Balancer Controller, its IAM role and the IngressClass it serves.

    Creates an IAM role for EKS Pod Identity with the controller's policy and the
    Pod Identity association of the controller's service account. Installs the
    controller as a Helm release of the eks-charts chart, pinned to CHART_VERSION,
    once `pod_identity_agent` (the cluster's eks-pod-identity-agent add-on, None
    when the cluster has the agent already) exists, and creates the IngressClass
    `alb` with controller ingress.k8s.aws/alb. Build it only for a managed node
    group, because EKS Auto Mode serves Ingresses itself. Pass the cluster's
    Kubernetes provider in `opts.providers`. Exports `ingress_class_name`.
    """

    def __init__(
        self,
        name: str,
        cluster_name: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        region: str,
        pod_identity_agent: pulumi.Resource | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:cluster:LoadBalancerController", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        policy = aws.iam.Policy(
            child_name(name, "policy"),
            name=physical_name("lb-controller"),
            description="Lets the AWS Load Balancer Controller run the ALB of the gateway",
            policy=json.dumps(controller_policy()),
            opts=child,
        )
        # The controller's pods get their credentials from the node's Pod Identity
        # agent, so the release waits for the agent too.
        agent = [pod_identity_agent] if pod_identity_agent is not None else []
        identity = pod_identity_role(
            self,
            name,
            role_name=physical_name("lb-controller"),
            policy_arn=policy.arn,
            cluster_name=cluster_name,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            depends_on=agent,
        )

        release = k8s.helm.v3.Release(
            child_name(name, "release"),
            name=CHART,
            chart=CHART,
            version=CHART_VERSION,
            repository_opts={"repo": CHART_REPOSITORY},
            namespace=NAMESPACE,
            values={
                "clusterName": cluster_name,
                "region": region,
                "vpcId": vpc_id,
                "replicaCount": 2,
                "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT},
                # The IngressClass below is the stack's; the chart makes none.
                "createIngressClassResource": False,
                # The stack has no Service of type LoadBalancer for it to take over.
                "enableServiceMutatorWebhook": False,
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*agent, *identity]),
        )
        ingress_class = k8s.networking.v1.IngressClass(
            child_name(name, "class"),
            metadata={"name": INGRESS_CLASS},
            spec={"controller": CONTROLLER},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[release]),
        )

        self.ingress_class_name = ingress_class.metadata.name
        self.register_outputs({"ingressClassName": self.ingress_class_name})

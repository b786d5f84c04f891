"""The EKS cluster, its compute, its add-ons and its Kubernetes provider."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.iam import assume_role_policy
from components.kms import customer_managed_key, encrypted_log_group
from components.naming import child_name, physical_name
from components.network import NetworkRefs
from components.pod_identity import pod_identity_role
from stack_config.model import ClusterConfig

# All five control-plane log types (checkov CKV_AWS_37).
CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

# Managed policies an EKS Auto Mode cluster role needs, per the EKS Auto Mode guide.
AUTO_MODE_CLUSTER_POLICIES = [
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
]
AUTO_MODE_NODE_POLICIES = ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"]
CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
NODE_GROUP_NODE_POLICIES = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
]

# The EBS CSI driver's controller runs as this service account, and AWS's managed
# policy for it sits under the service-role path (EKS User Guide, "Use Kubernetes
# volume storage with Amazon EBS",
# https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
EBS_CSI_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
# The logical name and parent of the Pod Identity agent add-on when the AWS Load
# Balancer Controller component created it. The alias keeps an existing stack from
# creating a second eks-pod-identity-agent add-on, which EKS rejects.
PREVIOUS_AGENT_NAME = "load-balancer-controller-pod-identity-agent"
PREVIOUS_AGENT_PARENT = ("load-balancer-controller", "topfans:cluster:LoadBalancerController")

# The built-in Auto Mode pool kept on: `system` runs cluster add-ons behind its
# CriticalAddonsOnly taint. The built-in `general-purpose` pool has no CPU or memory
# limit and cannot be changed, so it stays off and WORKLOAD_NODE_POOL takes its place.
BUILT_IN_NODE_POOLS = ["system"]
WORKLOAD_NODE_POOL = "workloads"
# The built-in `default` NodeClass cannot be edited, so the workload pool gets a
# NodeClass of its own, which must not be named `default` ("Create a Node Class for
# Amazon EKS", Considerations).
WORKLOAD_NODE_CLASS = "workloads"

# EKS Auto Mode enforces NetworkPolicies only once this ConfigMap turns its network
# policy controller on (EKS User Guide, "Use Network Policies with EKS Auto Mode",
# https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html).
VPC_CNI_CONFIG_MAP = {"name": "amazon-vpc-cni", "namespace": "kube-system"}
NETWORK_POLICY_CONTROLLER = {"enable-network-policy-controller": "true"}


def workload_node_class_spec(
    role_name: pulumi.Input[str],
    subnet_ids: pulumi.Input[list[str]],
    security_group_id: pulumi.Input[str],
) -> dict:
    """Return the spec of the NodeClass of the workloads' nodes in EKS Auto Mode.

    The nodes assume the cluster's node role, run in the cluster's private subnets and
    carry the cluster security group, which the database and cache admit. The
    network policy agent starts in DefaultAllow, so NetworkPolicies decide what a
    selected pod may send and receive. Fields as in the EKS User Guide, "Create a
    Node Class for Amazon EKS",
    https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html.
    """
    # An earlier revision of "Use Network Policies with EKS Auto Mode" required
    # networkPolicy on the NodeClass, and the current one makes DefaultAllow the
    # default. Setting it keeps enforcement independent of that default.
    return {
        "role": role_name,
        "subnetSelectorTerms": pulumi.Output.from_input(subnet_ids).apply(
            lambda ids: [{"id": subnet} for subnet in ids]
        ),
        "securityGroupSelectorTerms": [{"id": security_group_id}],
        "networkPolicy": "DefaultAllow",
    }


def workload_node_pool_spec(config: ClusterConfig) -> dict:
    """Return the spec of the NodePool that runs the workloads in EKS Auto Mode.

    It uses the WORKLOAD_NODE_CLASS NodeClass and requests the instances the
    built-in general-purpose pool would (C, M and R families of generation 5 or
    newer, on demand). It caps the cluster's workload capacity with
    `cluster.autoMode.cpuLimit` and `memoryLimit`, the limits the built-in pools
    lack (EKS User Guide, "Create a Node Pool for EKS Auto Mode").
    """
    return {
        "template": {
            "spec": {
                "nodeClassRef": {
                    "group": "eks.amazonaws.com",
                    "kind": "NodeClass",
                    "name": WORKLOAD_NODE_CLASS,
                },
                "requirements": [
                    {
                        "key": "eks.amazonaws.com/instance-category",
                        "operator": "In",
                        "values": ["c", "m", "r"],
                    },
                    {
                        "key": "eks.amazonaws.com/instance-generation",
                        "operator": "Gt",
                        "values": ["4"],
                    },
                    {
                        "key": "karpenter.sh/capacity-type",
                        "operator": "In",
                        "values": ["on-demand"],
                    },
                    {
                        "key": "kubernetes.io/arch",
                        "operator": "In",
                        "values": list(config.auto_mode.architectures),
                    },
                ],
            }
        },
        "limits": {
            "cpu": config.auto_mode.cpu_limit,
            "memory": config.auto_mode.memory_limit,
        },
    }


def deploying_principal() -> str:
    """Return the ARN of the IAM role or user whose credentials run Pulumi.

    An assumed-role session (arn:aws:sts::<account>:assumed-role/<role>/<session>)
    becomes the role's IAM ARN with its path, the form an access entry takes.
    """
    caller = aws.get_caller_identity()
    return aws.iam.get_session_context(arn=caller.arn).issuer_arn


def _principal_key(arn: str) -> tuple[str, str, str] | None:
    """Return (account, "role" or "user", name) of an IAM or STS principal ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    account, resource = parts[4], parts[5].split("/")
    if parts[2] == "sts" and resource[0] == "assumed-role" and len(resource) >= 2:
        return account, "role", resource[1]
    if parts[2] == "iam" and resource[0] in ("role", "user") and len(resource) >= 2:
        # IAM role and user names are unique in an account, whatever their path.
        return account, resource[0], resource[-1]
    return None


def admin_access_warning(deployer: str, admin_arns: Sequence[str]) -> str | None:
    """Return a warning when `admin_arns` lacks `deployer`, or None when it lists it.

    Roles and users compare by account and name, so a path in either ARN does not
    matter.
    """
    key = _principal_key(deployer)
    if key is not None and key in {_principal_key(arn) for arn in admin_arns}:
        return None
    return (
        f"cluster.adminArns does not contain {deployer}, the identity running Pulumi, so "
        "its Kubernetes calls fail with Unauthorized unless an access entry made outside "
        f"this stack admits it; add {deployer} to topfans:cluster.adminArns"
    )


@dataclass(frozen=True)
class ClusterRefs:
    """The cluster's outputs that the other components use."""

    name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    certificate_authority: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    # With EKS Auto Mode and with managed node groups (no custom launch template
    # security groups), pods carry the cluster's primary security group.
    pod_security_group_id: pulumi.Output[str]
    provider: k8s.Provider
    # The eks-pod-identity-agent add-on of a managed node group, which every Pod
    # Identity user waits for. It is None on EKS Auto Mode, which has the agent built in.
    pod_identity_agent: pulumi.Resource | None = None


def kubeconfig(name: pulumi.Input[str], endpoint, certificate_authority, region: str):
    """Return a kubeconfig that fetches a token with `aws eks get-token` on each use.

    It contains no credential, so rotating AWS credentials never changes it.
    """
    return pulumi.Output.all(name, endpoint, certificate_authority).apply(
        lambda values: json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": values[0],
                        "cluster": {
                            "server": values[1],
                            "certificate-authority-data": values[2],
                        },
                    }
                ],
                "contexts": [{"name": values[0], "context": {"cluster": values[0], "user": "aws"}}],
                "current-context": values[0],
                "users": [
                    {
                        "name": "aws",
                        "user": {
                            "exec": {
                                "apiVersion": "client.authentication.k8s.io/v1beta1",
                                "command": "aws",
                                "args": [
                                    "eks",
                                    "get-token",
                                    "--cluster-name",
                                    values[0],
                                    "--region",
                                    region,
                                    "--output",
                                    "json",
                                ],
                            }
                        },
                    }
                ],
            }
        )
    )


class Cluster(pulumi.ComponentResource):
    """An EKS cluster in the network's private subnets, and the provider to reach it.

    Creates the cluster IAM role, a KMS key that encrypts Kubernetes Secrets and the
    control-plane log group, that log group, the
    cluster (EKS Auto Mode, or a managed node group), access entries for the admins
    in config, the metrics-server add-on that HPAs read, and one
    `kubernetes.Provider` built from the cluster's endpoint and certificate. In
    Auto Mode it keeps only the built-in `system` node pool and creates, through that
    provider, the NodePool whose limits cap the workloads' nodes, its NodeClass, and
    the `amazon-vpc-cni` ConfigMap key that makes Auto Mode enforce NetworkPolicies.
    With a managed node group it adds the vpc-cni add-on with network policy
    enforcement on, the eks-pod-identity-agent add-on, and the aws-ebs-csi-driver
    add-on with the IAM role its controller assumes through Pod Identity.
    Exports `refs` (`ClusterRefs`).
    """

    def __init__(
        self,
        name: str,
        config: ClusterConfig,
        network: NetworkRefs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        auto_mode = config.compute_mode == "auto"
        region = aws.get_region().region

        cluster_role = aws.iam.Role(
            child_name(name, "cluster-role"),
            name=physical_name("eks-cluster"),
            assume_role_policy=assume_role_policy("eks.amazonaws.com", tag_session=auto_mode),
            opts=child,
        )
        cluster_policies = AUTO_MODE_CLUSTER_POLICIES if auto_mode else ["AmazonEKSClusterPolicy"]
        attachments = [
            aws.iam.RolePolicyAttachment(
                child_name(name, f"cluster-{policy}"),
                role=cluster_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=child,
            )
            for policy in cluster_policies
        ]

        node_role = aws.iam.Role(
            child_name(name, "node-role"),
            name=physical_name("eks-node"),
            assume_role_policy=assume_role_policy("ec2.amazonaws.com"),
            opts=child,
        )
        node_policies = AUTO_MODE_NODE_POLICIES if auto_mode else NODE_GROUP_NODE_POLICIES
        for policy in node_policies:
            aws.iam.RolePolicyAttachment(
                child_name(name, f"node-{policy}"),
                role=node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=child,
            )

        cluster_name = physical_name("eks")
        log_group_name = f"/aws/eks/{cluster_name}/cluster"
        key = customer_managed_key(
            self,
            name,
            "eks",
            f"Encrypts Kubernetes Secrets and control-plane logs of {cluster_name}",
            log_group_names=[log_group_name],
        )
        # EKS would create the control-plane log group itself, unencrypted and kept
        # forever; created first, it gets the key and the retention from config.
        control_plane_logs = encrypted_log_group(
            self,
            child_name(name, "control-plane-logs"),
            log_group_name,
            config.log_retention_days,
            key,
        )

        self.cluster = aws.eks.Cluster(
            child_name(name, "eks"),
            name=cluster_name,
            version=config.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": network.private_subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": config.endpoint_public_access,
                "public_access_cidrs": config.public_access_cidrs or None,
            },
            # Access comes only from the entries for cluster.adminArns below, never
            # from who created the cluster. The setting is create-only: changing it
            # replaces the cluster (CloudFormation AWS::EKS::Cluster AccessConfig,
            # "Update requires: Replacement").
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": False,
            },
            encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=CONTROL_PLANE_LOG_TYPES,
            # Auto Mode installs its own networking, storage and load balancing;
            # EKS requires the self-managed add-ons off when it is on.
            bootstrap_self_managed_addons=not auto_mode,
            compute_config=(
                {
                    "enabled": True,
                    "node_pools": BUILT_IN_NODE_POOLS,
                    "node_role_arn": node_role.arn,
                }
                if auto_mode
                else None
            ),
            kubernetes_network_config={"elastic_load_balancing": {"enabled": True}}
            if auto_mode
            else None,
            storage_config={"block_storage": {"enabled": True}} if auto_mode else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*attachments, control_plane_logs]),
        )

        admin_access = self._admin_access(name, config)

        compute: list[pulumi.Resource] = []
        self.pod_identity_agent: aws.eks.Addon | None = None
        if not auto_mode:
            compute = self._node_group_and_addons(name, config, network, node_role)

        # HorizontalPodAutoscalers read CPU usage from the metrics API, which only
        # metrics-server serves; without it every HPA stays at its minimum.
        self._addon(name, "metrics-server", depends_on=compute)

        certificate = self.cluster.certificate_authority.apply(lambda ca: ca.data)
        self.provider = k8s.Provider(
            child_name(name, "k8s"),
            kubeconfig=kubeconfig(self.cluster.name, self.cluster.endpoint, certificate, region),
            # With clusterIdentifier set, pulumi-kubernetes replaces the provider only
            # when this value changes and treats every other change, the kubeconfig
            # included, as an update (pulumi-kubernetes 4.34 Provider docs). The ARN
            # changes only with a new cluster; a replacement would recreate every
            # Kubernetes resource in the stack.
            cluster_identifier=self.cluster.arn,
            enable_server_side_apply=True,
            # Every Kubernetes call waits for the admins' access, so that a deploying
            # identity listed in cluster.adminArns is authorized on the first run.
            opts=pulumi.ResourceOptions(parent=self, depends_on=admin_access),
        )

        if auto_mode:
            self._auto_mode_nodes(name, config, network, node_role)

        self.refs = ClusterRefs(
            name=self.cluster.name,
            endpoint=self.cluster.endpoint,
            certificate_authority=certificate,
            oidc_issuer=self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer),
            pod_security_group_id=self.cluster.vpc_config.cluster_security_group_id,
            provider=self.provider,
            pod_identity_agent=self.pod_identity_agent,
        )
        self.register_outputs(
            {
                "clusterName": self.refs.name,
                "endpoint": self.refs.endpoint,
                "podSecurityGroupId": self.refs.pod_security_group_id,
            }
        )

    def _admin_access(self, name: str, config: ClusterConfig) -> list[pulumi.Resource]:
        """Grant cluster admin to each of cluster.adminArns, and return the grants.

        Logs a warning when cluster.adminArns lacks the identity running Pulumi,
        because that identity's Kubernetes calls then fail with Unauthorized.
        """
        grants: list[pulumi.Resource] = []
        for index, principal in enumerate(config.admin_arns):
            entry = aws.eks.AccessEntry(
                child_name(name, f"admin-{index}"),
                cluster_name=self.cluster.name,
                principal_arn=principal,
                type="STANDARD",
                opts=pulumi.ResourceOptions(parent=self),
            )
            grants.append(
                aws.eks.AccessPolicyAssociation(
                    child_name(name, f"admin-{index}"),
                    cluster_name=self.cluster.name,
                    principal_arn=principal,
                    policy_arn=CLUSTER_ADMIN_POLICY_ARN,
                    access_scope={"type": "cluster"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
                )
            )
        warning = admin_access_warning(deploying_principal(), config.admin_arns)
        if warning is not None:
            pulumi.log.warn(warning, resource=self)
        return grants

    def _auto_mode_nodes(
        self, name: str, config: ClusterConfig, network: NetworkRefs, node_role
    ) -> None:
        """Create the workloads' NodeClass and NodePool, and turn NetworkPolicies on."""
        opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        # A patch, not a ConfigMap: its server-side apply creates the object when it
        # is missing and otherwise takes over only this key, whereas a ConfigMap fails
        # to create over an existing object (pulumi-kubernetes 4.29.0 release notes).
        k8s.core.v1.ConfigMapPatch(
            child_name(name, "network-policy-controller"),
            metadata=VPC_CNI_CONFIG_MAP,
            data=NETWORK_POLICY_CONTROLLER,
            opts=opts,
        )
        # The same role as compute_config's node role: EKS created its EC2 access
        # entry with the cluster, and a second entry for one principal is rejected
        # ("Create a Node Class for Amazon EKS", Considerations).
        node_class = k8s.apiextensions.CustomResource(
            child_name(name, "workload-node-class"),
            api_version="eks.amazonaws.com/v1",
            kind="NodeClass",
            metadata={"name": WORKLOAD_NODE_CLASS},
            spec=workload_node_class_spec(
                node_role.name,
                network.private_subnet_ids,
                self.cluster.vpc_config.cluster_security_group_id,
            ),
            opts=opts,
        )
        k8s.apiextensions.CustomResource(
            child_name(name, "workload-node-pool"),
            api_version="karpenter.sh/v1",
            kind="NodePool",
            metadata={"name": WORKLOAD_NODE_POOL},
            spec=workload_node_pool_spec(config),
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=[node_class])
            ),
        )

    def _addon(
        self,
        name: str,
        addon_name: str,
        depends_on: Sequence[pulumi.Resource] = (),
        configuration_values: str | None = None,
        aliases: Sequence[pulumi.Alias] | None = None,
    ) -> aws.eks.Addon:
        """Create an EKS add-on that takes over a self-managed copy of itself, if any."""
        return aws.eks.Addon(
            child_name(name, addon_name),
            cluster_name=self.cluster.name,
            addon_name=addon_name,
            configuration_values=configuration_values,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on), aliases=aliases),
        )

    def _node_group_and_addons(
        self, name: str, config: ClusterConfig, network: NetworkRefs, node_role
    ) -> list[pulumi.Resource]:
        """Create the managed node group and the add-ons it needs, and return the group.

        With bootstrap_self_managed_addons on, EKS installs vpc-cni, kube-proxy and
        CoreDNS as self-managed add-ons (EKS User Guide, "Manage networking add-ons for
        Amazon EKS clusters",
        https://docs.aws.amazon.com/eks/latest/userguide/eks-networking-add-ons.html),
        so kube-proxy and CoreDNS run without an EKS add-on here.
        """
        # NetworkPolicies take effect only once the VPC CNI runs its network policy
        # agent (EKS User Guide, "Restrict Pod network traffic with Kubernetes network
        # policies", https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html).
        # The add-on takes over the self-managed vpc-cni, before the nodes join.
        vpc_cni = self._addon(
            name, "vpc-cni", configuration_values=json.dumps({"enableNetworkPolicy": "true"})
        )
        # The agent on each node hands pods the credentials of their Pod Identity
        # association. EKS Auto Mode has it built in (EKS User Guide, "Set up the Amazon
        # EKS Pod Identity Agent", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
        self.pod_identity_agent = self._addon(
            name,
            "eks-pod-identity-agent",
            aliases=[
                pulumi.Alias(
                    name=PREVIOUS_AGENT_NAME,
                    parent=pulumi.create_urn(*PREVIOUS_AGENT_PARENT),
                )
            ],
        )
        node_group = self._node_group(name, config, network, node_role, depends_on=[vpc_cni])
        self._ebs_csi_driver(name, depends_on=[node_group, self.pod_identity_agent])
        return [node_group]

    def _ebs_csi_driver(self, name: str, depends_on: list[pulumi.Resource]) -> aws.eks.Addon:
        """Create the aws-ebs-csi-driver add-on and the IAM role its controller assumes.

        Without it no PersistentVolumeClaim of provisioner ebs.csi.aws.com binds on a
        managed node group. EKS Auto Mode provisions EBS volumes itself.
        """
        identity = pod_identity_role(
            self,
            child_name(name, "ebs-csi"),
            role_name=physical_name("ebs-csi"),
            policy_arn=EBS_CSI_POLICY_ARN,
            cluster_name=self.cluster.name,
            namespace="kube-system",
            service_account=EBS_CSI_SERVICE_ACCOUNT,
        )
        # NOTE: the launch template's hop limit 1 keeps the driver's node pods from
        # IMDS, so they read instance metadata from the Kubernetes API instead, which
        # lacks the ENI count that lowers a Nitro instance's volume attach limit
        # (aws-ebs-csi-driver docs/install.md, "Kubernetes metadata").
        return self._addon(name, "aws-ebs-csi-driver", depends_on=[*depends_on, *identity])

    def _node_group(
        self,
        name,
        config: ClusterConfig,
        network: NetworkRefs,
        node_role,
        depends_on: list[pulumi.Resource],
    ) -> pulumi.Resource:
        """Create a managed node group whose instances require IMDSv2."""
        group = config.node_group
        assert group is not None  # ClusterConfig rejects node-group mode without it.
        template = aws.ec2.LaunchTemplate(
            child_name(name, "nodes"),
            name=physical_name("eks-nodes"),
            # Hop limit 1 keeps pods from reaching the node's instance credentials.
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": group.disk_size_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                    },
                }
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.eks.NodeGroup(
            child_name(name, "nodes"),
            cluster_name=self.cluster.name,
            node_group_name=physical_name("nodes"),
            node_role_arn=node_role.arn,
            subnet_ids=network.private_subnet_ids,
            instance_types=group.instance_types,
            ami_type=group.ami_type,
            capacity_type=group.capacity_type,
            scaling_config={
                "min_size": group.min_size,
                "max_size": group.max_size,
                "desired_size": group.desired_size,
            },
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            # The cluster autoscaler moves desired_size; the program must not reset it.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=depends_on,
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )

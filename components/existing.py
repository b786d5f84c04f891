"""Adoption of an existing VPC and EKS cluster, looked up instead of created."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.cluster import ClusterRefs, kubeconfig
from components.naming import child_name
from components.network import NetworkRefs
from stack_config import ConfigError
from stack_config.model import ExistingNetwork

NETWORK_KEY = "topfans:network.existing"
CLUSTER_KEY = "topfans:cluster.existingClusterName"
# Subnet tag by which load balancer subnet discovery picks the subnets of
# internet-facing ALBs, with the value 1 or empty (AWS Load Balancer Controller
# documentation, "Subnet auto-discovery").
PUBLIC_ELB_TAG = "kubernetes.io/role/elb"


class AdoptedNetwork(pulumi.ComponentResource):
    """An existing VPC and its subnets, looked up so that the stack creates no network.

    Creates nothing: it checks that the VPC and every listed subnet exist, that the
    subnets belong to the VPC, and that the private and the public subnets each span
    at least two availability zones. Any failed check raises a `ConfigError` naming
    the key, the id and the fix. Exports `refs` (`NetworkRefs`) and `vpc_id`.
    """

    def __init__(
        self,
        name: str,
        config: ExistingNetwork,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Every lookup and check runs before the component registers, so a bad id
        # fails the run before any resource exists.
        region = aws.get_region().region

        found = aws.ec2.get_vpcs(filters=[{"name": "vpc-id", "values": [config.vpc_id]}]).ids
        if config.vpc_id not in found:
            raise ConfigError(
                f"{NETWORK_KEY}.vpcId = {config.vpc_id!r}: no VPC with this id exists in "
                f"{region}; set it to the VM's VPC (aws ec2 describe-vpcs)"
            )
        vpc = aws.ec2.get_vpc(id=config.vpc_id)

        private = self._subnets(config, "privateSubnetIds", config.private_subnet_ids, region)
        public = self._subnets(config, "publicSubnetIds", config.public_subnet_ids, region)
        # RDS and ElastiCache subnet groups, EKS and the ALB each need subnets in at
        # least two availability zones.
        _require_two_zones("privateSubnetIds", private, "RDS, ElastiCache and EKS")
        _require_two_zones("publicSubnetIds", public, "the internet-facing ALB")

        untagged = [
            subnet.id for subnet in public if subnet.tags.get(PUBLIC_ELB_TAG) not in ("1", "")
        ]
        if untagged:
            pulumi.log.warn(
                f"{NETWORK_KEY}.publicSubnetIds: {', '.join(untagged)} lack the tag "
                f"{PUBLIC_ELB_TAG}=1, by which EKS places the internet-facing ALB; "
                "tag them before the gateway's Ingress is created"
            )
        pulumi.log.info(
            f"network: adopting {vpc.id} ({vpc.cidr_block}), private subnets in "
            f"{', '.join(_zones(private))}, public subnets in {', '.join(_zones(public))}"
        )

        super().__init__("topfans:network:AdoptedNetwork", name, None, opts)

        self.vpc_id = config.vpc_id
        self.refs = NetworkRefs(
            vpc_id=pulumi.Output.from_input(vpc.id),
            vpc_cidr=pulumi.Output.from_input(vpc.cidr_block),
            private_subnet_ids=pulumi.Output.from_input(list(config.private_subnet_ids)),
            public_subnet_ids=pulumi.Output.from_input(list(config.public_subnet_ids)),
        )
        self.register_outputs(
            {
                "vpcId": self.refs.vpc_id,
                "privateSubnetIds": self.refs.private_subnet_ids,
                "publicSubnetIds": self.refs.public_subnet_ids,
            }
        )

    @staticmethod
    def _subnets(
        config: ExistingNetwork, key: str, subnet_ids: list[str], region: str
    ) -> list[aws.ec2.AwaitableGetSubnetResult]:
        """Look up listed subnets; raise ConfigError for one that is missing or elsewhere."""
        # The plural lookup returns the ids that exist, so a missing one is reported
        # here instead of as a provider error from the singular lookup.
        found = set(aws.ec2.get_subnets(filters=[{"name": "subnet-id", "values": subnet_ids}]).ids)
        subnets = []
        for subnet_id in subnet_ids:
            if subnet_id not in found:
                raise ConfigError(
                    f"{NETWORK_KEY}.{key}: {subnet_id} does not exist in {region}; list "
                    f"subnets of {config.vpc_id} (aws ec2 describe-subnets --filters "
                    f"Name=vpc-id,Values={config.vpc_id})"
                )
            subnet = aws.ec2.get_subnet(id=subnet_id)
            if subnet.vpc_id != config.vpc_id:
                raise ConfigError(
                    f"{NETWORK_KEY}.{key}: {subnet_id} is in {subnet.vpc_id}, not in vpcId "
                    f"{config.vpc_id}; list only subnets of {config.vpc_id}"
                )
            subnets.append(subnet)
        return subnets


def _zones(subnets: list[aws.ec2.AwaitableGetSubnetResult]) -> list[str]:
    return sorted({subnet.availability_zone for subnet in subnets})


def _require_two_zones(
    key: str, subnets: list[aws.ec2.AwaitableGetSubnetResult], users: str
) -> None:
    zones = _zones(subnets)
    if len(zones) < 2:
        raise ConfigError(
            f"{NETWORK_KEY}.{key}: the subnets span {len(zones)} availability zone "
            f"({', '.join(zones)}), but {users} need at least 2; add a subnet in another zone"
        )


class AdoptedCluster(pulumi.ComponentResource):
    """An existing EKS cluster, looked up by name, and the provider to reach it.

    Checks that the cluster exists, is ACTIVE, runs in `vpc_id` (the adopted
    network's VPC) and has EKS Auto Mode's load balancing on, which serves the
    gateway's IngressClass. Any failed check raises a `ConfigError`. Creates one
    `kubernetes.Provider` built from the cluster's endpoint and certificate
    authority. Exports `refs` (`ClusterRefs`) and `provider`.
    """

    def __init__(
        self,
        name: str,
        cluster_name: str,
        vpc_id: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # As for the network, every check runs before the component registers.
        region = aws.get_region().region

        names = aws.eks.get_clusters().names
        if cluster_name not in names:
            raise ConfigError(
                f"{CLUSTER_KEY} = {cluster_name!r}: no EKS cluster of this name exists in "
                f"{region} (found: {', '.join(names) or 'none'}); set it to one of "
                "`aws eks list-clusters`, or remove it to create a cluster"
            )
        cluster = aws.eks.get_cluster(name=cluster_name)
        if cluster.status != "ACTIVE":
            raise ConfigError(
                f"{CLUSTER_KEY} = {cluster_name!r}: the cluster is {cluster.status}, not "
                "ACTIVE; wait until it is ACTIVE and run again"
            )
        if cluster.vpc_config.vpc_id != vpc_id:
            raise ConfigError(
                f"{CLUSTER_KEY} = {cluster_name!r}: the cluster runs in "
                f"{cluster.vpc_config.vpc_id}, but network.existing.vpcId is {vpc_id}; "
                "adopt the cluster's VPC, or another cluster"
            )
        if not _load_balancing_enabled(cluster):
            raise ConfigError(
                f"{CLUSTER_KEY} = {cluster_name!r}: EKS Auto Mode load balancing is off, "
                "and it is what serves the gateway's ALB IngressClass; turn on Auto Mode "
                "for the cluster, or remove existingClusterName to create one"
            )
        pulumi.log.info(f"cluster: adopting {cluster_name} ({cluster.version}) in {vpc_id}")

        super().__init__("topfans:cluster:AdoptedCluster", name, None, opts)

        certificate = cluster.certificate_authorities[0].data
        self.provider = k8s.Provider(
            child_name(name, "k8s"),
            kubeconfig=kubeconfig(cluster.name, cluster.endpoint, certificate, region),
            # As for a created cluster: the provider is replaced only with the cluster.
            cluster_identifier=cluster.arn,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

        # NOTE: pods carry the cluster security group only with Auto Mode or managed
        # node groups without custom launch template security groups, as for Cluster.
        self.refs = ClusterRefs(
            name=pulumi.Output.from_input(cluster.name),
            endpoint=pulumi.Output.from_input(cluster.endpoint),
            certificate_authority=pulumi.Output.from_input(certificate),
            oidc_issuer=pulumi.Output.from_input(cluster.identities[0].oidcs[0].issuer),
            pod_security_group_id=pulumi.Output.from_input(
                cluster.vpc_config.cluster_security_group_id
            ),
            provider=self.provider,
        )
        self.register_outputs(
            {
                "clusterName": self.refs.name,
                "endpoint": self.refs.endpoint,
                "podSecurityGroupId": self.refs.pod_security_group_id,
            }
        )


def _load_balancing_enabled(cluster: aws.eks.AwaitableGetClusterResult) -> bool:
    for network in cluster.kubernetes_network_configs or []:
        for balancing in network.elastic_load_balancings or []:
            if balancing.enabled:
                return True
    return False

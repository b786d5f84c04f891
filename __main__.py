"""The topfans stack graph: network -> cluster, database, cache -> workloads -> gateway."""

import pulumi
import pulumi_aws as aws

from components.cache import Cache
from components.cluster import Cluster
from components.cutover import Cutover
from components.database import Database
from components.existing import AdoptedCluster, AdoptedNetwork
from components.load_balancer_controller import LoadBalancerController
from components.network import Network
from components.workloads import Workloads
from components.workloads.endpoints import SharedEndpoints
from components.workloads.platform import Platform
from stack_config import load_stack_config
from stack_config.model import Environment

NAMESPACE = "topfans"

config = load_stack_config(pulumi.get_stack())
# Pulumi's protect stops `pulumi up` and `pulumi destroy` from deleting the data
# stores of a production stack, whatever the diff shows.
protect_data = config.environment is Environment.PROD
for relaxation in config.relaxations:
    pulumi.log.info(f"relaxation in effect: {relaxation.value}")

# An adopted VPC or cluster is looked up instead of created (docs/migration.md). The
# config model accepts an adopted cluster only together with an adopted VPC.
network = (
    Network("network", config.network)
    if config.network.existing is None
    else AdoptedNetwork("network", config.network.existing)
)
cluster = (
    Cluster("cluster", config.cluster, network.refs)
    if config.cluster.existing_cluster_name is None
    else AdoptedCluster("cluster", config.cluster.existing_cluster_name, network.vpc_id)
)
database = Database(
    "database", config.database, network.refs, cluster.refs.pod_security_group_id, protect_data
)
cache = Cache("cache", config.cache, network.refs, cluster.refs.pod_security_group_id, protect_data)
# EKS Auto Mode serves Ingresses itself; a managed node group needs the controller.
platform = Platform(compute_mode=config.cluster.compute_mode)
if config.cluster.compute_mode == "node-group":
    controller = LoadBalancerController(
        "load-balancer-controller",
        cluster_name=cluster.refs.name,
        vpc_id=network.refs.vpc_id,
        region=aws.get_region().region,
        pod_identity_agent=cluster.refs.pod_identity_agent,
        opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}),
    )
    platform = Platform(compute_mode="node-group", ingress_class_name=controller.ingress_class_name)
workloads = Workloads(
    "workloads",
    namespace=NAMESPACE,
    services=config.services,
    endpoints=SharedEndpoints(
        database=database.refs, cache=cache.refs, vpc_cidr=network.refs.vpc_cidr
    ),
    registry=config.registry,
    gateway=config.gateway,
    opts=pulumi.ResourceOptions(providers={"kubernetes": cluster.provider}),
    platform=platform,
)

pulumi.export("vpcId", network.refs.vpc_id)
pulumi.export("clusterName", cluster.refs.name)
pulumi.export("clusterEndpoint", cluster.refs.endpoint)
pulumi.export("databaseAddress", database.refs.address)
pulumi.export("cacheAddress", cache.refs.address)
pulumi.export("namespace", workloads.namespace.metadata.name)
pulumi.export("gatewayHostname", workloads.gateway.hostname if workloads.gateway else None)
pulumi.export("databasePassword", database.refs.password)

if config.cutover is not None and workloads.gateway is not None:
    cutover = Cutover("cutover", config.cutover, workloads.gateway.hostname)
    pulumi.export("cutoverWeights", cutover.weights)

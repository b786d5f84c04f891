"""The Dubbo registry: a ZooKeeper ensemble in the namespace."""

from __future__ import annotations

import math

import pulumi
import pulumi_kubernetes as k8s
from kubernetes.utils import parse_quantity

from components.naming import child_name
from components.workloads.disruption import pod_disruption_budget, topology_spread
from components.workloads.pod_spec import container_security_context, pod_security_context
from components.workloads.rollout import endpoint_digest
from stack_config.model import RegistryConfig

NAME = "zookeeper"
CLIENT_PORT = 2181
PEER_PORT = 2888
ELECTION_PORT = 3888
ADMIN_PORT = 8080
# The UID ZooKeeper runs as: above the node's users, like the services' default.
RUN_AS_USER = 10001
CONFIG_HASH_ANNOTATION = "checksum/zoo.cfg"

# EBS CSI provisioners. EKS Auto Mode requires its own in every StorageClass. The
# aws-ebs-csi-driver add-on, which the Cluster installs on a managed node group, serves
# ebs.csi.aws.com (EKS User Guide, "Use Kubernetes volume storage with Amazon EBS",
# https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html).
# Platform.storage_provisioner picks one by compute mode.
AUTO_MODE_EBS_PROVISIONER = "ebs.csi.eks.amazonaws.com"
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"


def selector() -> dict[str, str]:
    """Return the labels that select the ZooKeeper pods."""
    return {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "topfans"}


def zoo_cfg(replicas: int) -> str:
    """Return zoo.cfg for an ensemble of `replicas` servers, one per StatefulSet pod.

    Transaction logs live on the persistent volume next to the snapshots, so a
    restarted member keeps every committed write.
    """
    servers = [
        f"server.{index + 1}={NAME}-{index}.{NAME}-peers:{PEER_PORT}:{ELECTION_PORT};{CLIENT_PORT}"
        for index in range(replicas)
    ]
    settings = [
        "dataDir=/data",
        "dataLogDir=/data/log",
        f"clientPort={CLIENT_PORT}",
        "tickTime=2000",
        "initLimit=10",
        "syncLimit=5",
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=24",
        # A member binds its quorum ports on all addresses, not only the one its
        # own peer name resolves to.
        "quorumListenOnAllIPs=true",
        "admin.enableServer=true",
        f"admin.serverPort={ADMIN_PORT}",
    ]
    return "\n".join(settings + servers) + "\n"


def heap_megabytes(config: RegistryConfig) -> int:
    """Return ZooKeeper's heap: three quarters of the container's memory limit, in MiB."""
    limit = parse_quantity(config.resources.limits.memory)
    return math.floor(limit * 3 / 4 / 2**20)


class ZooKeeper(pulumi.ComponentResource):
    """A ZooKeeper StatefulSet with its Services, config, storage and disruption budget.

    Creates an encrypted gp3 StorageClass, named after the namespace because
    StorageClasses are cluster-scoped. Adds a ConfigMap with zoo.cfg, a headless
    Service for the peers, a client Service and a ServiceAccount without API
    token. The StatefulSet spreads members across zones, each with a persistent
    volume, and a PodDisruptionBudget lets a drain take one member at a time.
    Exports `address`, the `zookeeper://` URL Dubbo registers with.
    """

    def __init__(
        self,
        name: str,
        config: RegistryConfig,
        namespace: pulumi.Input[str],
        storage_provisioner: str = AUTO_MODE_EBS_PROVISIONER,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:workloads:ZooKeeper", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = selector()

        storage_class = k8s.storage.v1.StorageClass(
            child_name(name, "storage"),
            metadata={"name": pulumi.Output.concat(namespace, "-", NAME), "labels": labels},
            provisioner=storage_provisioner,
            parameters={"type": "gp3", "encrypted": "true"},
            # The volume is created in the zone where its pod is scheduled.
            volume_binding_mode="WaitForFirstConsumer",
            # Deleting the claim or the stack keeps the volume and its data.
            reclaim_policy="Retain",
            allow_volume_expansion=True,
            opts=child,
        )
        cfg = zoo_cfg(config.replicas)
        config_map = k8s.core.v1.ConfigMap(
            child_name(name, "config"),
            metadata={"name": f"{NAME}-config", "namespace": namespace, "labels": labels},
            data={"zoo.cfg": cfg},
            opts=child,
        )
        peer_service = k8s.core.v1.Service(
            child_name(name, "peers"),
            metadata={"name": f"{NAME}-peers", "namespace": namespace, "labels": labels},
            spec={
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": labels,
                "ports": [
                    {"name": "peer", "port": PEER_PORT},
                    {"name": "election", "port": ELECTION_PORT},
                ],
            },
            opts=child,
        )
        client_service = k8s.core.v1.Service(
            child_name(name, "client"),
            metadata={"name": NAME, "namespace": namespace, "labels": labels},
            spec={"selector": labels, "ports": [{"name": "client", "port": CLIENT_PORT}]},
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            child_name(name, "account"),
            metadata={"name": NAME, "namespace": namespace, "labels": labels},
            automount_service_account_token=False,
            opts=child,
        )

        k8s.apps.v1.StatefulSet(
            child_name(name, "statefulset"),
            metadata={"name": NAME, "namespace": namespace, "labels": labels},
            spec={
                "serviceName": peer_service.metadata.name,
                "replicas": config.replicas,
                "podManagementPolicy": "Parallel",
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {
                        "labels": labels,
                        "annotations": {CONFIG_HASH_ANNOTATION: endpoint_digest({"zoo.cfg": cfg})},
                    },
                    "spec": self._pod_spec(config, account, config_map),
                },
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "storageClassName": storage_class.metadata.name,
                            "resources": {"requests": {"storage": f"{config.storage_gi}Gi"}},
                        },
                    }
                ],
            },
            opts=child,
        )
        pod_disruption_budget(child_name(name, "pdb"), NAME, namespace, labels, self)

        self.address = pulumi.Output.concat(
            "zookeeper://",
            client_service.metadata.name,
            ".",
            namespace,
            f".svc.cluster.local:{CLIENT_PORT}",
        )
        self.register_outputs({"address": self.address})

    @staticmethod
    def _pod_spec(config: RegistryConfig, account, config_map) -> dict:
        """Return the pod spec of a ZooKeeper member."""
        # Each member's id is its StatefulSet ordinal plus one, as the server.N
        # lines of zoo.cfg number them; "$$" keeps Kubernetes from expanding "$(".
        start = (
            "export ZOO_MY_ID=$$((${HOSTNAME##*-} + 1)) && "
            "exec /docker-entrypoint.sh zkServer.sh start-foreground"
        )
        ruok = {"httpGet": {"path": "/commands/ruok", "port": "admin"}}
        container = {
            "name": NAME,
            "image": config.image.reference,
            "imagePullPolicy": "Always",
            "command": ["bash", "-c", start],
            "ports": [
                {"name": "client", "containerPort": CLIENT_PORT},
                {"name": "peer", "containerPort": PEER_PORT},
                {"name": "election", "containerPort": ELECTION_PORT},
                {"name": "admin", "containerPort": ADMIN_PORT},
            ],
            "env": [
                {"name": "ZK_SERVER_HEAP", "value": str(heap_megabytes(config))},
                {"name": "ZOO_LOG_DIR", "value": "/logs"},
            ],
            "resources": {
                "requests": config.resources.requests.model_dump(exclude_none=True),
                "limits": config.resources.limits.model_dump(exclude_none=True),
            },
            "securityContext": container_security_context(),
            "startupProbe": {**ruok, "periodSeconds": 5, "failureThreshold": 24},
            "readinessProbe": {**ruok, "periodSeconds": 10, "timeoutSeconds": 3},
            "livenessProbe": {**ruok, "periodSeconds": 10, "timeoutSeconds": 3},
            "volumeMounts": [
                {"name": "data", "mountPath": "/data"},
                {"name": "config", "mountPath": "/conf/zoo.cfg", "subPath": "zoo.cfg"},
                {"name": "logs", "mountPath": "/logs"},
                {"name": "tmp", "mountPath": "/tmp"},
            ],
        }
        return {
            "serviceAccountName": account.metadata.name,
            "automountServiceAccountToken": False,
            "securityContext": pod_security_context(RUN_AS_USER),
            "terminationGracePeriodSeconds": 30,
            # Members in different zones keep a majority through the loss of one zone.
            "topologySpreadConstraints": topology_spread(selector(), "DoNotSchedule"),
            "containers": [container],
            "volumes": [
                {"name": "config", "configMap": {"name": config_map.metadata.name}},
                {"name": "logs", "emptyDir": {"sizeLimit": "256Mi"}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
            ],
        }

"""The Dubbo registry: a ZooKeeper ensemble in the namespace."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.naming import child_name
from stack_config.model import RegistryConfig

CLIENT_PORT = 2181
NAME = "zookeeper"


class ZooKeeper(pulumi.ComponentResource):
    """A ZooKeeper StatefulSet with a headless Service for its peers and a client Service.

    Exports `address`, the `zookeeper://` URL Dubbo registers with.
    """

    def __init__(
        self,
        name: str,
        config: RegistryConfig,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("topfans:workloads:ZooKeeper", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        selector = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "topfans"}
        peers = " ".join(
            f"server.{index + 1}={NAME}-{index}.{NAME}-peers:2888:3888;{CLIENT_PORT}"
            for index in range(config.replicas)
        )

        peer_service = k8s.core.v1.Service(
            child_name(name, "peers"),
            metadata={"name": f"{NAME}-peers", "namespace": namespace, "labels": selector},
            spec={
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": selector,
                "ports": [
                    {"name": "peer", "port": 2888},
                    {"name": "election", "port": 3888},
                ],
            },
            opts=child,
        )
        client_service = k8s.core.v1.Service(
            child_name(name, "client"),
            metadata={"name": NAME, "namespace": namespace, "labels": selector},
            spec={"selector": selector, "ports": [{"name": "client", "port": CLIENT_PORT}]},
            opts=child,
        )
        k8s.apps.v1.StatefulSet(
            child_name(name, "statefulset"),
            metadata={"name": NAME, "namespace": namespace, "labels": selector},
            spec={
                "serviceName": peer_service.metadata.name,
                "replicas": config.replicas,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {"labels": selector},
                    "spec": {
                        "containers": [
                            {
                                "name": NAME,
                                "image": config.image.reference,
                                "ports": [
                                    {"name": "client", "containerPort": CLIENT_PORT},
                                    {"name": "peer", "containerPort": 2888},
                                    {"name": "election", "containerPort": 3888},
                                ],
                                "env": [{"name": "ZOO_SERVERS", "value": peers}],
                                "resources": {
                                    "requests": {"cpu": "100m", "memory": "512Mi"},
                                    "limits": {"memory": "512Mi"},
                                },
                                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                            }
                        ]
                    },
                },
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": f"{config.storage_gi}Gi"}},
                        },
                    }
                ],
            },
            opts=child,
        )

        self.address = pulumi.Output.concat(
            "zookeeper://",
            client_service.metadata.name,
            ".",
            namespace,
            f".svc.cluster.local:{CLIENT_PORT}",
        )
        self.register_outputs({"address": self.address})

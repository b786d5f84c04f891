"""Adopt a network, and a cluster in it, per case of the config key `cases:table`.

Each case is `{"network": <network.existing>, "cluster": <name or null>}`. The
program exports `outcomes`: per case "adopted" or the `ConfigError` message, so one
offline run checks every case.
"""

import json

import pulumi

from components.existing import AdoptedCluster, AdoptedNetwork
from stack_config import ConfigError
from stack_config.model import ExistingNetwork

cases = json.loads(pulumi.Config("cases").require("table"))
outcomes = {}
for name, case in cases.items():
    try:
        network = AdoptedNetwork(f"{name}-network", ExistingNetwork.model_validate(case["network"]))
        if case.get("cluster") is not None:
            AdoptedCluster(f"{name}-cluster", case["cluster"], network.vpc_id)
        outcomes[name] = "adopted"
    except ConfigError as error:
        outcomes[name] = str(error)
pulumi.export("outcomes", outcomes)

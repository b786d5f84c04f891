"""The stack config of topfans-infra: one typed model, validated before any resource."""

from stack_config.load import ConfigError, load_stack_config, validate_stack_config
from stack_config.model import Relaxation, StackConfig

__all__ = [
    "ConfigError",
    "Relaxation",
    "StackConfig",
    "load_stack_config",
    "validate_stack_config",
]

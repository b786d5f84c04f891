"""Values for pulumi-random resources, generated from their inputs as the provider does."""

from __future__ import annotations

import secrets
import string
from typing import Any

from offline.errors import RejectedError

# pulumi-random's default special characters, used unless overrideSpecial is set.
DEFAULT_SPECIALS = "!@#$%&*()-_=+[]{}<>:?"


def _alphabet(inputs: dict[str, Any]) -> str:
    alphabet = ""
    if inputs.get("lower", True):
        alphabet += string.ascii_lowercase
    if inputs.get("upper", True):
        alphabet += string.ascii_uppercase
    if inputs.get("numeric", True):
        alphabet += string.digits
    if inputs.get("special", True):
        alphabet += inputs.get("overrideSpecial") or DEFAULT_SPECIALS
    return alphabet


def complete(type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict]:
    """Return the id and outputs of a RandomPassword or RandomString."""
    if type_ not in (
        "random:index/randomPassword:RandomPassword",
        "random:index/randomString:RandomString",
    ):
        raise RejectedError(f"{type_} {name}: the offline engine does not know this resource type")
    length = int(inputs["length"])
    alphabet = _alphabet(inputs)
    if not alphabet:
        raise RejectedError(
            f"{type_} {name}: every character class is off, so no value can be generated"
        )
    value = "".join(secrets.choice(alphabet) for _ in range(length))
    outputs = dict(inputs)
    outputs["result"] = value
    return ("none" if type_.endswith("RandomPassword") else value), outputs

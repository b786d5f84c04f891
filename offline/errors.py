"""The error the offline engine raises when it or moto rejects a resource."""


class RejectedError(Exception):
    """A resource or call the offline engine (or moto behind it) rejected.

    The message is one line: the resource type and name, what was rejected and why.
    """

"""The AutoCode sandbox runner: the one process the control plane talks to inside a user's container."""

__version__ = "0.1.0"

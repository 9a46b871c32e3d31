"""AutoCode control plane: accounts, agents, sandboxes and the relays between the PWA and them."""

__version__ = "0.1.0"

"""What the control plane and the runner agree on, defined once and imported by both (standard library only).

- `wire`: the protocol version, error codes, method, event and command names, and the limits.
- `vocab`: the status and level vocabularies both sides store or report.
- `plan`: a coding project's plan step.
- `providers`: the model providers the manager understands, and their names as people read them.
- `problems`: a model provider's trouble in a coding project (retrying, or waiting for the user's Retry).
- `specs`: the typed, versioned instance specs the control plane builds and the instances read.
- `convert`: dataclasses to and from JSON-ready dicts, with typed errors.

The control plane's virtual environment installs this package, so nothing here may import a third-party module.
"""

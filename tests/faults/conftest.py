"""The fault suite's own rule: a `disruptive` test (one that disturbs what every other test on the machine shares,
such as restarting the container engine) runs only when asked for with `-m disruptive`, and then alone:
`.venv/bin/pytest -m disruptive tests/faults`. `make test` and a plain `pytest` skip it."""

from __future__ import annotations

import pytest

DISRUPTIVE = "disruptive"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if DISRUPTIVE in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason=f"disturbs every other test on the machine; run it alone with -m {DISRUPTIVE}")
    for item in items:
        if item.get_closest_marker(DISRUPTIVE) is not None:
            item.add_marker(skip)

"""The fuzz suite's own rule: the long schemathesis run (`fuzz_long`) runs only when asked for with `-m fuzz_long`,
so `make test` and a plain `pytest` take the short run alone."""

from __future__ import annotations

import pytest

LONG = "fuzz_long"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if LONG in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason=f"the long fuzz run; select it with -m {LONG}")
    for item in items:
        if item.get_closest_marker(LONG) is not None:
            item.add_marker(skip)

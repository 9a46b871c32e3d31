"""The markers, not the folders, say what a test needs: a test that uses the container engine's fixtures must be
marked `docker`, so `-m "not docker"` runs exactly the tests that need no engine.

Checked as each module is collected: a module with such a test fails to collect, naming the tests, whatever -m or -k
select and with or without xdist. Some markers are opt-in (OPT_IN): their tests run only when -m selects them."""

from __future__ import annotations

from collections.abc import Generator

import pytest

# Every engine fixture (sandbox_settings, sandbox_app, sandbox_client, harness) depends on this one.
ENGINE_FIXTURE = "engine_client"


def uses_the_engine_unmarked(node: pytest.Item | pytest.Collector) -> bool:
    """A test that reaches the engine's fixtures, directly or through others, without the docker marker."""
    return (
        isinstance(node, pytest.Item)
        and ENGINE_FIXTURE in getattr(node, "fixturenames", ())
        and node.get_closest_marker("docker") is None
    )


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    unmarked = [node.nodeid for node in report.result if uses_the_engine_unmarked(node)] if report.passed else []
    if unmarked:
        report.outcome = "failed"
        report.longrepr = (
            f"these tests use the container engine ({ENGINE_FIXTURE} or a fixture built on it) but are not marked "
            "docker; add `pytestmark = pytest.mark.docker` to their module:\n  " + "\n  ".join(unmarked)
        )
        report.result = []
    return report


# Markers of tests that run only when selected with -m: `make test` and a plain `pytest` skip them.
OPT_IN = {
    "fuzz_long": "the long fuzz run; select it with -m fuzz_long",
    "disruptive": "disturbs every other test on the machine (it restarts the engine); run it alone with -m disruptive",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = config.getoption("markexpr") or ""
    for marker, reason in OPT_IN.items():
        if marker in selected:
            continue
        for item in items:
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=reason))

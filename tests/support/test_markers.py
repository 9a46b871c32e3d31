"""The docker marker is checked at collection: a test that uses the engine's fixtures without it is refused."""

from __future__ import annotations

import pytest

PLUGINS = 'pytest_plugins = ["tests.support.engine", "tests.support.markers"]\n'
MARKED = "import pytest\n\npytestmark = pytest.mark.docker\n\n\ndef test_sandbox(harness):\n    pass\n"
UNMARKED = "def test_sandbox(harness):\n    pass\n\n\ndef test_without_the_engine(tmp_path):\n    pass\n"


def collect(pytester: pytest.Pytester, **modules: str) -> pytest.RunResult:
    pytester.makeconftest(PLUGINS)
    pytester.makepyfile(**modules)
    return pytester.runpytest("--collect-only", "-q", "-m", "not docker", "-p", "no:cacheprovider")


def test_a_test_using_the_engine_without_the_docker_marker_fails_to_collect(pytester: pytest.Pytester) -> None:
    result = collect(pytester, test_marked=MARKED, test_unmarked=UNMARKED)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*ERROR collecting test_unmarked.py*", "*not marked docker*", "*test_unmarked.py::test_sandbox"]
    )
    result.stdout.no_fnmatch_line("*test_unmarked.py::test_without_the_engine")
    result.stdout.no_fnmatch_line("*ERROR collecting test_marked.py*")


def test_marked_engine_tests_are_what_not_docker_leaves_out(pytester: pytest.Pytester) -> None:
    result = collect(pytester, test_marked=MARKED)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["*1 deselected*"])

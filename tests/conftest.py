"""The suite's plugins: the application fixtures, the container engine's fixtures (usable from any folder), and the
check that a marker, not a folder, says which tests need the engine (`-m "not docker"` runs the others)."""

pytest_plugins = ["pytester", "tests.support.app", "tests.support.engine", "tests.support.markers"]

"""Paths stay inside the home: no `..`, no absolute path outside, no symlink that leads out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runner.conftest import ProtocolClient, Runner

ESCAPES = ["../x", "/etc/passwd", "sub/../../x", "sub/../x", "/", "/tmp", "a/./../b"]


@pytest.fixture
def outside(runner: Runner) -> Path:
    """A directory beside the home (not inside it) holding a file the runner must not touch."""
    directory = runner.base / "outside"
    directory.mkdir()
    (directory / "secret.txt").write_text("outside secret")
    return directory


@pytest.mark.parametrize("path", ESCAPES)
def test_escaping_paths_are_forbidden_for_every_fs_method(client: ProtocolClient, path: str) -> None:
    calls = [
        ("fs.read", {"path": path}),
        ("fs.write", {"path": path, "content": "x"}),
        ("fs.list", {"path": path}),
        ("fs.mkdir", {"path": path}),
        ("fs.remove", {"path": path}),
    ]
    for method, params in calls:
        assert client.error(method, params)["code"] == "forbidden_path", (method, path)


def test_absolute_paths_inside_the_home_work(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "a.txt").write_text("inside")
    assert client.call("fs.read", {"path": str(runner.home / "a.txt")})["content"] == "inside"
    assert client.error("fs.read", {"path": str(runner.home) + "-other/a.txt"})["code"] == "forbidden_path"


def test_symlink_to_etc_is_not_followed(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "etc-link").symlink_to("/etc")
    (runner.home / "passwd-link").symlink_to("/etc/passwd")
    for method, params in [
        ("fs.read", {"path": "etc-link/passwd"}),
        ("fs.read", {"path": "passwd-link"}),
        ("fs.list", {"path": "etc-link"}),
        ("fs.write", {"path": "etc-link/autocode-test", "content": "x"}),
        ("fs.write", {"path": "passwd-link", "content": "x", "append": True}),
        ("fs.mkdir", {"path": "etc-link/autocode-test"}),
        ("fs.remove", {"path": "etc-link/hostname"}),
        ("tmux.new", {"name": "escape", "cwd": "etc-link"}),
    ]:
        assert client.error(method, params)["code"] == "forbidden_path", method
    assert not Path("/etc/autocode-test").exists()


def test_symlinked_directory_pointing_outside_is_refused(runner: Runner, client: ProtocolClient, outside: Path) -> None:
    (runner.home / "out").symlink_to(outside)
    assert client.error("fs.read", {"path": "out/secret.txt"})["code"] == "forbidden_path"
    assert client.error("fs.write", {"path": "out/new.txt", "content": "x"})["code"] == "forbidden_path"
    assert client.error("fs.write", {"path": "out/new/deep.txt", "content": "x", "parents": True})["code"] == (
        "forbidden_path"
    )
    assert client.error("fs.mkdir", {"path": "out/d", "parents": True})["code"] == "forbidden_path"
    assert client.error("fs.remove", {"path": "out/secret.txt"})["code"] == "forbidden_path"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "outside secret"


def test_symlinks_inside_the_home_are_not_followed_either(runner: Runner, client: ProtocolClient) -> None:
    """Reading, writing and listing never follow a link, even one that stays in the home (fs.list shows it)."""
    (runner.home / "docs").mkdir()
    (runner.home / "docs" / "notes.md").write_text("inside")
    (runner.home / "link.md").symlink_to("docs/notes.md")
    (runner.home / "docs-link").symlink_to(runner.home / "docs")
    for method, params in [
        ("fs.read", {"path": "link.md"}),
        ("fs.read", {"path": "docs-link/notes.md"}),
        ("fs.list", {"path": "docs-link"}),
        ("fs.write", {"path": "link.md", "content": "updated"}),
        ("fs.write", {"path": "link.md", "content": "updated", "append": True}),
        ("fs.write", {"path": "docs-link/new.md", "content": "x", "parents": True}),
    ]:
        error = client.error(method, params)
        assert error["code"] == "forbidden_path" and "never followed" in error["message"], (method, params)
    assert (runner.home / "link.md").is_symlink()
    assert (runner.home / "docs" / "notes.md").read_text() == "inside"
    assert sorted(p.name for p in (runner.home / "docs").iterdir()) == ["notes.md"]
    assert ("docs-link", "symlink") in [(e["name"], e["type"]) for e in client.call("fs.list", {})["entries"]]


def test_remove_of_a_symlink_removes_the_link_and_leaves_the_target(
    runner: Runner, client: ProtocolClient, outside: Path
) -> None:
    (runner.home / "secret-link").symlink_to(outside / "secret.txt")
    (runner.home / "dir-link").symlink_to(outside)
    assert client.call("fs.remove", {"path": "secret-link"}) == {}
    assert client.call("fs.remove", {"path": "dir-link", "recursive": True}) == {}
    assert not (runner.home / "secret-link").is_symlink()
    assert not (runner.home / "dir-link").is_symlink()
    assert (outside / "secret.txt").read_text() == "outside secret"


def test_dangling_symlink_pointing_outside_cannot_be_created_through(
    runner: Runner, client: ProtocolClient, outside: Path
) -> None:
    (runner.home / "dangling").symlink_to(outside / "not-yet.txt")
    assert client.error("fs.write", {"path": "dangling", "content": "x"})["code"] == "forbidden_path"
    assert not (outside / "not-yet.txt").exists()

"""Property tests of the path helpers (hypothesis, real code, real directories): a user's directory name is checked
before anything is made or removed (services/userdirs.py); a path relative to a sandbox folder
(sandbox/safe_files.py) or to the runner's home (autocode_runner/fs.py) with a `..`, an absolute start, a NUL or
anything else that could leave is refused, and every path accepted stays under its root."""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from autocode_runner.contract.wire import ErrorCode
from autocode_runner.fs import HomeFS
from autocode_runner.protocol import RunnerError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controlplane.errors import InvalidField
from controlplane.sandbox.safe_files import relative_parts
from controlplane.services.userdirs import (
    USER_SUBDIRS,
    USERNAME_PATTERN,
    create_user_home,
    prepare_user_home,
    remove_user_home,
)

PROPERTY_SETTINGS = settings(
    max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

pieces = st.sampled_from(["..", ".", "", "a", "b", "~", "-", "link", "link/..", "\\", "..\\x", "\x00", "a\x00", "é"])
paths = st.one_of(
    st.text(max_size=30),
    st.lists(pieces | st.text("ab./\\", max_size=4), min_size=1, max_size=6).map("/".join),
    st.lists(pieces, min_size=1, max_size=6).map(lambda parts: "/" + "/".join(parts)),
)


def within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


# -- sandbox folders (the control plane's side) -----------------------------------------------------------


@PROPERTY_SETTINGS
@given(paths)
def test_a_folder_relative_path_is_refused_or_stays_under_the_folder(path: str) -> None:
    try:
        parts = relative_parts(path)
    except InvalidField as refused:
        assert refused.field == "path"
        leaves = {"", ".", ".."} & set(path.split("/"))
        assert leaves or path.startswith("/") or "\\" in path or "\x00" in path, "refused only what could leave"
        return
    assert parts and all(part not in ("", ".", "..") for part in parts)
    assert not path.startswith("/") and "\x00" not in path and "\\" not in path
    root = "/home/agent/research/alpha"
    joined = posixpath.join(root, *parts)
    assert posixpath.normpath(joined) == joined, "nothing in it moves the path"
    assert within(joined, root) and joined != root


# -- the runner's home (the sandbox's side) -------------------------------------------------------------


@pytest.fixture(scope="module")
def home() -> Iterator[HomeFS]:
    """A home with a folder, a file, and a link planted in it that points out of it."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "home" / "a").mkdir(parents=True)
        (root / "home" / "a" / "file").write_text("mine")
        (root / "outside").mkdir()
        (root / "home" / "link").symlink_to(root / "outside")
        yield HomeFS(str(root / "home"))


@PROPERTY_SETTINGS
@given(paths)
def test_a_runner_path_is_refused_or_stays_under_the_home(home: HomeFS, path: str) -> None:
    try:
        lexical = home.lexical(path)
    except RunnerError as refused:
        assert refused.code in (ErrorCode.FORBIDDEN_PATH, ErrorCode.INVALID_PARAMS)
        return
    assert ".." not in path.split("/") and "\x00" not in path
    assert within(lexical, home.real_home)
    assert not path.startswith("/") or within(os.path.normpath(path), home.home)
    try:
        real = home.resolve(path)
    except RunnerError as refused:
        assert refused.code == ErrorCode.FORBIDDEN_PATH
        assert "link" in path.split("/"), "only the link leads out"
        return
    assert within(real, home.real_home)
    names = home.components(path)
    assert ".." not in names and "" not in names and "." not in names


@PROPERTY_SETTINGS
@given(st.lists(pieces, min_size=1, max_size=5).map("/".join).filter(lambda path: ".." in path.split("/")))
def test_a_dot_dot_component_is_always_refused(home: HomeFS, path: str) -> None:
    for candidate in (path, "/" + path, home.home + "/" + path):
        with pytest.raises(RunnerError) as refused:
            home.lexical(candidate)
        assert refused.value.code in (ErrorCode.FORBIDDEN_PATH, ErrorCode.INVALID_PARAMS)


# -- users' directories -----------------------------------------------------------------------------------

usernames = st.one_of(
    st.text(max_size=40),
    st.from_regex(USERNAME_PATTERN, fullmatch=True),
    st.sampled_from(["..", ".", "a/b", "a\x00b", "ab/..", "root", "a" * 33, "Ab", "a", "ab.", "-ab", "ab"]),
)


@PROPERTY_SETTINGS
@given(usernames)
def test_a_users_directory_is_made_and_removed_only_for_a_valid_name_and_only_there(username: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        users = Path(scratch) / "users"
        users.mkdir()
        (Path(scratch) / "beside").write_text("keep")
        if not USERNAME_PATTERN.fullmatch(username):
            for act in (
                lambda: create_user_home(users, username),
                lambda: remove_user_home(users, username),
                lambda: prepare_user_home(users, username, os.getuid()),
            ):
                with pytest.raises(ValueError):
                    act()
            assert os.listdir(users) == []
        else:
            assert "/" not in username and "." not in username and "\x00" not in username
            home = create_user_home(users, username)
            assert home == users / username and os.listdir(users) == [username]
            assert sorted(os.listdir(home)) == sorted(USER_SUBDIRS)
            assert prepare_user_home(users, username, os.getuid()) == home
            assert remove_user_home(users, username) is True
            assert os.listdir(users) == []
        assert sorted(os.listdir(scratch)) == ["beside", "users"]

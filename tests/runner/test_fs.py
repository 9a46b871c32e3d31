"""The fs.* methods against a real home directory."""

from __future__ import annotations

import base64
import contextlib
import os
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from autocode_runner.fs import HomeFS
from autocode_runner.protocol import RunnerError

from tests.runner.conftest import ProtocolClient, Runner


def test_write_then_read_utf8(runner: Runner, client: ProtocolClient) -> None:
    text = "Grüße, 世界 ✓\nsecond line\n"
    assert client.call("fs.write", {"path": "notes.md", "content": text}) == {"size": len(text.encode())}
    assert (runner.home / "notes.md").read_text(encoding="utf-8") == text
    assert client.call("fs.read", {"path": "notes.md"}) == {
        "content": text,
        "encoding": "utf-8",
        "size": len(text.encode()),
    }


def test_base64_round_trip_of_bytes_that_are_not_utf8(runner: Runner, client: ProtocolClient) -> None:
    data = b"\xff\xfe\x00binary\x80\xc3(" + bytes(range(256))
    written = client.call(
        "fs.write", {"path": "blob.bin", "content": base64.b64encode(data).decode(), "encoding": "base64"}
    )
    assert written == {"size": len(data)}
    assert (runner.home / "blob.bin").read_bytes() == data
    result = client.call("fs.read", {"path": "blob.bin"})
    assert result["encoding"] == "base64"
    assert result["size"] == len(data)
    assert base64.b64decode(result["content"]) == data


def test_bad_content_encodings_are_invalid_params(client: ProtocolClient) -> None:
    bad_base64 = {"path": "x", "content": "not base64!", "encoding": "base64"}
    assert client.error("fs.write", bad_base64)["code"] == "invalid_params"
    assert client.error("fs.write", {"path": "x", "content": "x", "encoding": "latin-1"})["code"] == "invalid_params"
    client.send_line('{"id": 3, "method": "fs.write", "params": {"path": "x", "content": "\\ud800"}}\n')
    assert client.reply_to(3)["error"]["code"] == "invalid_params"
    assert client.error("fs.read", {"path": "x"})["code"] == "not_found"  # nothing was written


def test_write_replaces_whole_file_keeps_its_mode_and_leaves_no_temporary_files(
    runner: Runner, client: ProtocolClient
) -> None:
    target = runner.home / "config.txt"
    target.write_text("old content that is longer than the new one")
    target.chmod(0o600)
    assert client.call("fs.write", {"path": "config.txt", "content": "new"}) == {"size": 3}
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in runner.home.iterdir()) == ["config.txt"]


def test_append_adds_to_the_end_and_creates_a_missing_file(runner: Runner, client: ProtocolClient) -> None:
    assert client.call("fs.write", {"path": "log.txt", "content": "one\n", "append": True}) == {"size": 4}
    assert client.call("fs.write", {"path": "log.txt", "content": "two\n", "append": True}) == {"size": 8}
    assert (runner.home / "log.txt").read_text() == "one\ntwo\n"


def test_parents_creates_missing_directories_only_when_asked(runner: Runner, client: ProtocolClient) -> None:
    assert client.error("fs.write", {"path": "a/b/c.txt", "content": "x"})["code"] == "not_found"
    assert not (runner.home / "a").exists()
    assert client.call("fs.write", {"path": "a/b/c.txt", "content": "x", "parents": True}) == {"size": 1}
    assert (runner.home / "a" / "b" / "c.txt").read_text() == "x"


def test_write_refuses_directories_and_file_parents(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "dir").mkdir()
    (runner.home / "file").write_text("x")
    assert client.error("fs.write", {"path": "dir", "content": "x"})["code"] == "is_a_directory"
    assert client.error("fs.write", {"path": "file/child", "content": "x"})["code"] == "not_a_directory"
    error = client.error("fs.write", {"path": "file/child", "content": "x", "parents": True})
    assert error["code"] == "not_a_directory"


def test_a_path_that_names_no_file_is_invalid_params_not_internal(runner: Runner, client: ProtocolClient) -> None:
    """A lone surrogate is valid JSON but no file name (found by tests/fuzz): each file method refuses it."""
    for number, method in enumerate(("fs.read", "fs.write", "fs.list", "fs.mkdir", "fs.remove"), start=10):
        content = ', "content": "x"' if method == "fs.write" else ""
        client.send_line(f'{{"id": {number}, "method": "{method}", "params": {{"path": "a/\\ud800"{content}}}}}\n')
        assert client.reply_to(number)["error"]["code"] == "invalid_params", method
    assert not (runner.home / "a").exists(), "nothing was made on the way"
    assert client.call("ping")["pong"] is True


def test_read_errors(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "dir").mkdir()
    (runner.home / "ten.txt").write_text("0123456789")
    assert client.error("fs.read", {"path": "missing.txt"})["code"] == "not_found"
    assert client.error("fs.read", {"path": "dir"})["code"] == "is_a_directory"
    too_large = client.error("fs.read", {"path": "ten.txt", "max_bytes": 9})
    assert too_large["code"] == "too_large"
    assert "ten.txt" in too_large["message"]
    assert client.call("fs.read", {"path": "ten.txt", "max_bytes": 10})["content"] == "0123456789"


def test_read_refuses_a_fifo_without_blocking(runner: Runner, client: ProtocolClient) -> None:
    os.mkfifo(runner.home / "pipe")
    assert client.error("fs.read", {"path": "pipe"})["code"] == "invalid_params"
    assert client.call("ping")["pong"] is True


def test_list_reports_names_types_sizes_and_times_sorted(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "b.txt").write_text("12345")
    (runner.home / "a-dir").mkdir()
    (runner.home / "c-link").symlink_to("b.txt")
    entries = client.call("fs.list", {})["entries"]
    assert [(e["name"], e["type"]) for e in entries] == [("a-dir", "dir"), ("b.txt", "file"), ("c-link", "symlink")]
    by_name = {e["name"]: e for e in entries}
    assert by_name["b.txt"]["size"] == 5
    assert abs(by_name["b.txt"]["mtime"] - time.time()) < 60
    assert client.call("fs.list", {"path": "a-dir"}) == {"entries": []}
    assert client.call("fs.list", {"path": "."})["entries"] == entries


def test_list_errors(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "file").write_text("x")
    assert client.error("fs.list", {"path": "file"})["code"] == "not_a_directory"
    assert client.error("fs.list", {"path": "nowhere"})["code"] == "not_found"


def test_mkdir(runner: Runner, client: ProtocolClient) -> None:
    assert client.call("fs.mkdir", {"path": "projects"}) == {}
    assert (runner.home / "projects").is_dir()
    assert client.error("fs.mkdir", {"path": "projects"})["code"] == "exists"
    assert client.call("fs.mkdir", {"path": "projects", "exist_ok": True}) == {}
    assert client.error("fs.mkdir", {"path": "x/y/z"})["code"] == "not_found"
    assert client.call("fs.mkdir", {"path": "x/y/z", "parents": True}) == {}
    assert (runner.home / "x" / "y" / "z").is_dir()
    (runner.home / "plain").write_text("x")
    assert client.error("fs.mkdir", {"path": "plain", "exist_ok": True})["code"] == "exists"


def test_remove_files_and_directories(runner: Runner, client: ProtocolClient) -> None:
    (runner.home / "file").write_text("x")
    (runner.home / "empty").mkdir()
    (runner.home / "full" / "deep").mkdir(parents=True)
    (runner.home / "full" / "deep" / "f").write_text("x")
    assert client.call("fs.remove", {"path": "file"}) == {}
    assert client.call("fs.remove", {"path": "empty"}) == {}
    assert client.error("fs.remove", {"path": "full"})["code"] == "not_empty"
    assert (runner.home / "full" / "deep" / "f").exists()
    assert client.call("fs.remove", {"path": "full", "recursive": True}) == {}
    assert list(runner.home.iterdir()) == []
    assert client.error("fs.remove", {"path": "file"})["code"] == "not_found"


def test_the_home_itself_cannot_be_removed(runner: Runner, client: ProtocolClient) -> None:
    for path in ("", ".", str(runner.home), str(runner.home) + "/"):
        assert client.error("fs.remove", {"path": path, "recursive": True})["code"] == "forbidden_path", path
    assert runner.home.is_dir()


def test_a_link_anywhere_on_the_path_is_refused_for_read_write_and_list(runner: Runner, client: ProtocolClient) -> None:
    """Each component is opened without following links: a link as the file, as a folder on the way, or
    deeper down, pointing inside the home or not, is refused and left as it was."""
    (runner.home / "real" / "deep").mkdir(parents=True)
    (runner.home / "real" / "deep" / "file.txt").write_text("real")
    (runner.home / "real" / "deep-link").symlink_to("deep")
    (runner.home / "real" / "file-link").symlink_to("deep/file.txt")
    (runner.home / "top-link").symlink_to("real")
    refused = [
        ("fs.read", {"path": "top-link/deep/file.txt"}),
        ("fs.read", {"path": "real/deep-link/file.txt"}),
        ("fs.read", {"path": "real/file-link"}),
        ("fs.read", {"path": str(runner.home / "real" / "file-link")}),
        ("fs.list", {"path": "top-link"}),
        ("fs.list", {"path": "real/deep-link"}),
        ("fs.write", {"path": "real/file-link", "content": "x"}),
        ("fs.write", {"path": "real/deep-link/new.txt", "content": "x"}),
        ("fs.write", {"path": "top-link/deep/new/file.txt", "content": "x", "parents": True}),
    ]
    for method, params in refused:
        assert client.error(method, params)["code"] == "forbidden_path", (method, params)
    assert client.call("fs.read", {"path": "real/deep/file.txt"})["content"] == "real"
    assert sorted(p.name for p in (runner.home / "real" / "deep").iterdir()) == ["file.txt"]
    assert (runner.home / "real" / "file-link").is_symlink()
    listed = client.call("fs.list", {"path": "real"})["entries"]
    assert [(e["name"], e["type"]) for e in listed] == [
        ("deep", "dir"),
        ("deep-link", "symlink"),
        ("file-link", "symlink"),
    ]


def test_write_with_parents_makes_folders_but_not_through_a_file(runner: Runner, client: ProtocolClient) -> None:
    assert client.call("fs.write", {"path": "new/a/b.txt", "content": "x", "parents": True}) == {"size": 1}
    assert (runner.home / "new" / "a" / "b.txt").read_text() == "x"
    assert client.call("fs.write", {"path": "new/a/b.txt", "content": "yz", "parents": True}) == {"size": 2}
    assert client.error("fs.write", {"path": "new/a/b.txt/c", "content": "x", "parents": True})["code"] == (
        "not_a_directory"
    )
    assert client.error("fs.write", {"path": "", "content": "x"})["code"] == "is_a_directory"
    assert client.error("fs.read", {"path": "."})["code"] == "is_a_directory"


RACE_DEADLINE = 60.0  # seconds a race test may go on for one success


@contextmanager
def docs_flipping_to(home: Path, outside: Path) -> Iterator[None]:
    """While inside, home/docs keeps flipping between the real folder and a link to `outside`."""
    done = threading.Event()

    def flip() -> None:
        while not done.is_set():
            os.rename(home / "docs", home / "docs-away")  # the real folder steps aside...
            (home / "docs").symlink_to(outside)  # ...a link takes its place...
            (home / "docs").unlink()
            os.rename(home / "docs-away", home / "docs")  # ...and the folder comes back

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        yield
    finally:
        done.set()
        flipper.join()


def swap_world(tmp_path: Path) -> tuple[Path, Path]:
    home, outside = tmp_path / "home", tmp_path / "outside"
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "notes.md").write_text("inside")
    outside.mkdir()
    (outside / "notes.md").write_text("outside secret")
    return home, outside


def test_a_link_swapped_in_while_reading_is_never_followed(tmp_path: Path) -> None:
    """A folder on the path flips between a real folder and a link to a folder outside the home while the
    same file is read over and over: every read finds the real file or is refused, never the outside one."""
    home, outside = swap_world(tmp_path)
    files = HomeFS(str(home))
    seen: dict[str, int] = {}
    deadline = time.monotonic() + RACE_DEADLINE
    with docs_flipping_to(home, outside):
        # At least 3000 reads, and on until some found the real file (a loaded machine may need more tries).
        while sum(seen.values()) < 3000 or ("inside" not in seen and time.monotonic() < deadline):
            try:
                outcome = files.read("docs/notes.md", 1000)["content"]
            except RunnerError as error:
                outcome = error.code
            seen[outcome] = seen.get(outcome, 0) + 1
    assert "outside secret" not in seen, seen
    assert seen.get("inside", 0) > 0, seen


def test_a_link_swapped_in_while_writing_is_never_written_through(tmp_path: Path) -> None:
    home, outside = swap_world(tmp_path)
    files = HomeFS(str(home))
    written, index = 0, 0
    deadline = time.monotonic() + RACE_DEADLINE
    with docs_flipping_to(home, outside):
        # At least 2000 writes, and on until some found the real folder (a loaded machine may need more tries).
        while index < 2000 or (written == 0 and time.monotonic() < deadline):
            with contextlib.suppress(RunnerError):
                files.write(f"docs/f{index % 7}.txt", b"x", append=index % 2 == 0, parents=False)
                written += 1
            index += 1
    assert sorted(p.name for p in outside.iterdir()) == ["notes.md"]
    assert (outside / "notes.md").read_text() == "outside secret"
    assert written > 0 and (home / "docs").is_dir() and not (home / "docs").is_symlink()

"""Property tests of the runner protocol's input handling (hypothesis, real code): whatever a client sends, a line,
a request's params or a method's params, the runner answers with a protocol error or a result, never with anything
else (which the connection would turn into an `internal` error), and file methods never touch anything outside the
home, whatever path they are given."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from autocode_runner.contract.convert import ContractError
from autocode_runner.contract.specs import decode_spec
from autocode_runner.contract.wire import ErrorCode, InstanceKind, Method
from autocode_runner.fs import HomeFS
from autocode_runner.instances import Instances
from autocode_runner.methods import Methods
from autocode_runner.params import Params
from autocode_runner.protocol import RejectedLine, RunnerError, parse_request
from autocode_runner.tmux import Tmux
from autocode_runner.versions import Versions
from autocode_runner.watcher import SessionWatcher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROPERTY_SETTINGS = settings(
    max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Text as JSON carries it: any code point, lone surrogates included ("\ud800" is valid JSON).
json_text = st.text(st.characters(codec=None), max_size=40)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | json_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4),
    max_leaves=12,
)

# Every name a method reads, so generated params often pass the name check and reach the values' checks.
PARAM_NAMES = [
    *["path", "max_bytes", "content", "encoding", "append", "parents", "exist_ok", "recursive"],
    *["name", "command", "cwd", "env", "width", "height", "keys", "literal", "enter", "lines", "escapes", "pid"],
    *["kind", "id", "spec", "protocol", "client"],
]

# Paths built from the pieces that try to leave a folder, and plain names.
path_pieces = st.sampled_from(["..", ".", "", "a", "b", "~", "/", "//", "\\", "..\\..", "\x00", "a\x00b", "\ud800"])
paths = st.one_of(
    json_text,
    st.lists(path_pieces | st.text("ab./", max_size=4), min_size=1, max_size=6).map("/".join),
    st.lists(path_pieces, min_size=1, max_size=6).map(lambda parts: "/" + "/".join(parts)),
)
interesting_values = json_values | paths | st.sampled_from(["utf-8", "base64", "aGk=", "!!", *list(InstanceKind)])
params_dicts = st.dictionaries(st.sampled_from(PARAM_NAMES) | json_text, interesting_values, max_size=6)
path_params = st.fixed_dictionaries(
    {"path": paths},
    optional={
        "content": json_text | st.sampled_from(["aGk=", "!!"]),
        "encoding": st.sampled_from(["utf-8", "base64", "latin-1"]),
        "parents": st.booleans(),
        "append": st.booleans(),
        "recursive": st.booleans(),
        "exist_ok": st.booleans(),
        "max_bytes": st.integers(min_value=-5, max_value=2**31),
    },
)

PROTOCOL_CODES = set(ErrorCode) - {ErrorCode.INTERNAL}
FS_METHODS = (Method.FS_READ, Method.FS_WRITE, Method.FS_LIST, Method.FS_MKDIR, Method.FS_REMOVE)


# -- framing ---------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.one_of(st.binary(max_size=200), json_values.map(lambda value: json.dumps(value).encode())))
def test_any_line_is_a_request_or_a_rejection_with_a_protocol_code(line: bytes) -> None:
    try:
        request = parse_request(line)
    except RejectedLine as rejected:
        assert rejected.error.code in (ErrorCode.BAD_REQUEST, ErrorCode.INVALID_PARAMS)
        return
    assert isinstance(request.method, str) and request.method
    assert isinstance(request.params, dict)
    assert isinstance(request.id, str | int) and not isinstance(request.id, bool)


@PROPERTY_SETTINGS
@given(st.dictionaries(st.sampled_from(["id", "method", "params", "x"]), interesting_values | params_dicts))
def test_any_request_object_is_a_request_or_a_rejection(message: dict[str, Any]) -> None:
    test_any_line_is_a_request_or_a_rejection_with_a_protocol_code.hypothesis.inner_test(json.dumps(message).encode())  # type: ignore[attr-defined]


# -- params ----------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params_dicts, st.sampled_from(PARAM_NAMES))
def test_each_reader_returns_its_type_or_refuses_with_invalid_params(raw: dict[str, Any], name: str) -> None:
    readers: list[tuple[Callable[[Params], Any], Callable[[Any], bool]]] = [
        (lambda p: p.text(name), lambda v: isinstance(v, str) and "\x00" not in v),
        (lambda p: p.text(name, max_length=5), lambda v: isinstance(v, str) and len(v) <= 5),
        (lambda p: p.text(name, None), lambda v: v is None or isinstance(v, str)),
        (
            lambda p: p.integer(name, minimum=-3, maximum=7),
            lambda v: type(v) is int and -3 <= v <= 7,
        ),
        (lambda p: p.boolean(name, False), lambda v: isinstance(v, bool)),
        (
            lambda p: p.string_map(name),
            lambda v: isinstance(v, dict) and all(isinstance(x, str) and "\x00" not in x for x in v.values()),
        ),
        (lambda p: p.mapping(name), lambda v: isinstance(v, dict)),
    ]
    for read, fits in readers:
        params = Params(raw)
        try:
            value = read(params)
            params.done()
        except RunnerError as error:
            assert error.code == ErrorCode.INVALID_PARAMS
            continue
        assert fits(value), value
        assert set(raw) <= {name}, "done() refuses every name nobody read"


# -- methods: params in, a result or a protocol error out ---------------------------------------------------


class Validated(Exception):
    """Raised at `done()`: every param the handler read was accepted, and it would act now."""


class StopAtDone(Params):
    def done(self) -> None:
        super().done()
        raise Validated


@contextmanager
def runner_methods(home: Path) -> Iterator[dict[str, Any]]:
    """The runner's real method table over `home`; tmux and instances are never reached by the parsing test
    (it stops at `done()`), and the file methods only ever touch a temporary directory."""
    tmux = Tmux()
    events: list[tuple[str, dict[str, Any]]] = []
    instances = Instances(lambda name, data: events.append((name, data)))
    methods = Methods(HomeFS(str(home)), tmux, SessionWatcher(tmux, lambda *_: None), Versions(), instances)
    yield methods.table()


@pytest.fixture(scope="module")
def method_table() -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as scratch, runner_methods(Path(scratch)) as table:
        yield table


@PROPERTY_SETTINGS
@given(st.sampled_from(list(Method)), params_dicts)
def test_every_method_validates_any_params_before_acting(
    method_table: dict[str, Any], method: Method, raw: dict[str, Any]
) -> None:
    handler = method_table.get(method)
    if handler is None:  # hello belongs to the connection
        assert method == Method.HELLO
        return
    try:
        asyncio.run(handler(StopAtDone(raw)))
    except Validated:
        return
    except RunnerError as error:
        assert error.code in PROTOCOL_CODES, error.message
        return
    raise AssertionError(f"{method} acted without calling done()")


@PROPERTY_SETTINGS
@given(st.sampled_from(list(InstanceKind)), st.dictionaries(json_text, json_values, max_size=6))
def test_any_spec_decodes_or_is_a_contract_error(kind: InstanceKind, spec: dict[str, Any]) -> None:
    """instance.start refuses a spec that does not fit with `invalid_params` (a ContractError); nothing else."""
    with suppress(ContractError):
        decode_spec(kind, spec)


def _snapshot(root: Path) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.join(folder, name)] = None
        for name in files:
            found[os.path.join(folder, name)] = Path(folder, name).read_bytes()
    return found


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(st.sampled_from(FS_METHODS), path_params | params_dicts), min_size=1, max_size=5))
def test_file_methods_answer_any_params_and_never_touch_outside_the_home(
    calls: list[tuple[Method, dict[str, Any]]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        home, outside = root / "home", root / "outside"
        for folder in (home / "a" / "b", outside / "a"):
            folder.mkdir(parents=True)
        (outside / "secret").write_text("keep")
        (home / "a" / "file").write_text("mine")
        (home / "b").symlink_to(outside)  # a link planted in the home, pointing out of it
        before = _snapshot(outside)
        with runner_methods(home) as table:
            for method, raw in calls:
                try:
                    result = asyncio.run(table[method](Params(raw)))
                except RunnerError as error:
                    assert error.code in PROTOCOL_CODES, (method, raw, error.message)
                    continue
                assert isinstance(result, dict)
        assert _snapshot(outside) == before, "nothing outside the home changed"
        assert sorted(os.listdir(root)) == ["home", "outside"], "nothing was made beside the home"

"""The runner protocol's names and limits (docs/runner-protocol.md). Both ends import them from here.

A method, event, command or error code written as a string literal anywhere else is a bug:
tests/runner/contract/test_wire_literals.py fails on it.
"""

from __future__ import annotations

import re
from enum import StrEnum

# Bumped whenever a method, event or message shape changes: a control plane and a runner of different
# versions refuse each other at hello with `protocol_mismatch` (rebuild the image, restart the sandbox).
PROTOCOL_VERSION = 6

MAX_LINE_BYTES = 16 * 1024 * 1024  # one message is one line of at most this many bytes
MAX_READ_BYTES = 10 * 1024 * 1024  # an fs.read reply: 10 MiB of bytes is at most ~13.4 MiB of base64
MAX_TERMINAL_SIZE = 1000  # columns or rows of a tmux window
MAX_CAPTURE_LINES = 100_000
MAX_KEYS_LENGTH = 1024 * 1024
MAX_INSTANCE_ID = 2**53  # ids are database ids; JSON numbers are exact up to here

# tmux rewrites '.' and ':' in session names to '_', so neither may appear in a name we hand out.
SESSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
SESSION_NAME_RULE = "1 to 64 characters from A-Z, a-z, 0-9, '_' and '-'"

# A stopping runner (SIGTERM) gives its instances this long to save and exit once their stdin is closed, then its
# connections this long to finish; the control plane's engine stop waits for both, and a margin, before the
# engine kills the sandbox (exit code 137, and whatever was not saved is lost).
RUNNER_INSTANCES_GRACE_SECONDS = 5.0
RUNNER_CONNECTIONS_GRACE_SECONDS = 2.0
SANDBOX_STOP_SECONDS = int(RUNNER_INSTANCES_GRACE_SECONDS + RUNNER_CONNECTIONS_GRACE_SECONDS) + 3

# The exec the control plane runs in a sandbox to reach the runner's socket.
ATTACH_COMMAND = ("autocode-runner", "attach")
# Set on that exec, this many seconds: attach waits quietly for a runner that has not made its socket yet (a
# sandbox just started) instead of failing at once. An environment variable, not a flag, so that an image
# older than it still runs the command (and fails at once, as it did).
ATTACH_WAIT_VARIABLE = "AUTOCODE_RUNNER_ATTACH_WAIT"


class ErrorCode(StrEnum):
    """Every error code a reply may carry; clients branch on these, never on messages."""

    BAD_REQUEST = "bad_request"
    HELLO_REQUIRED = "hello_required"
    PROTOCOL_MISMATCH = "protocol_mismatch"
    UNKNOWN_METHOD = "unknown_method"
    INVALID_PARAMS = "invalid_params"
    FORBIDDEN_PATH = "forbidden_path"
    NOT_FOUND = "not_found"
    EXISTS = "exists"
    NOT_A_DIRECTORY = "not_a_directory"
    IS_A_DIRECTORY = "is_a_directory"
    NOT_EMPTY = "not_empty"
    TOO_LARGE = "too_large"
    TMUX_ERROR = "tmux_error"
    INTERNAL = "internal"


class Method(StrEnum):
    """Every request a client may send."""

    HELLO = "hello"
    PING = "ping"
    STATUS = "status"
    FS_READ = "fs.read"
    FS_WRITE = "fs.write"
    FS_LIST = "fs.list"
    FS_MKDIR = "fs.mkdir"
    FS_REMOVE = "fs.remove"
    TMUX_NEW = "tmux.new"
    TMUX_KILL = "tmux.kill"
    TMUX_LIST = "tmux.list"
    TMUX_SEND_KEYS = "tmux.send_keys"
    TMUX_CAPTURE = "tmux.capture"
    TMUX_DETACH_CLIENT = "tmux.detach_client"
    INSTANCE_START = "instance.start"
    INSTANCE_STOP = "instance.stop"
    INSTANCE_SEND = "instance.send"
    INSTANCE_LIST = "instance.list"


class Event(StrEnum):
    """Every event the runner sends to its clients unasked."""

    TMUX_SESSION_CLOSED = "tmux.session_closed"
    INSTANCE_LOG = "instance.log"
    INSTANCE_STATE = "instance.state"
    INSTANCE_EXITED = "instance.exited"
    INSTANCE_CHAT = "instance.chat"


class InstanceOutput(StrEnum):
    """What an instance process writes on its stdout, one JSON line each; the runner forwards them as
    `instance.<name>` events stamped with the instance's kind and id."""

    LOG = "log"
    STATE = "state"
    CHAT = "chat"  # a chat kind's reply as it happens (contract.chat.ChatEvent)


# Each instance output travels as this event.
FORWARDED: dict[InstanceOutput, Event] = {
    InstanceOutput.LOG: Event.INSTANCE_LOG,
    InstanceOutput.STATE: Event.INSTANCE_STATE,
    InstanceOutput.CHAT: Event.INSTANCE_CHAT,
}


class InstanceKind(StrEnum):
    """The kinds of instance a runner can start; each has its process entry in autocode_runner.kinds."""

    CODING = "coding"
    ECHO = "echo"  # a trivial kind that proves the runtime end to end (tests and diagnostics)
    RESEARCH = "research"  # a chat over one Claude Code session per research
    LEARNING = "learning"  # a course's tutor: a chat with a nanobot that keeps the student's notes and cards
    CUSTOM = "custom"  # one chat of a custom agent: a nanobot with the agent's tools and MCP servers


class Command(StrEnum):
    """Commands to a running instance (`instance.send`), written to its stdin as `{"type": ..., ...}`."""

    STOP = "stop"  # every kind: save and exit
    PAUSE = "pause"
    RESUME = "resume"
    REPLY = "reply"
    PLAN = "plan"
    SAY = "say"
    MESSAGE = "message"  # a chat kind: the user's message (contract.chat.ChatMessageCommand)
    INTERRUPT = "interrupt"  # a chat kind: stop the reply being written, keeping what was said


# An instance is named by its kind and the id of its target in the kind's own table (a project's id).
InstanceKey = tuple[InstanceKind, int]

# Which commands each kind takes from a client; `stop` goes through `instance.stop`.
KIND_COMMANDS: dict[InstanceKind, frozenset[Command]] = {
    InstanceKind.CODING: frozenset({Command.PAUSE, Command.RESUME, Command.REPLY, Command.PLAN}),
    InstanceKind.ECHO: frozenset({Command.SAY}),
    InstanceKind.RESEARCH: frozenset({Command.MESSAGE, Command.INTERRUPT}),
    InstanceKind.LEARNING: frozenset({Command.MESSAGE, Command.INTERRUPT}),
    InstanceKind.CUSTOM: frozenset({Command.MESSAGE, Command.INTERRUPT}),
}

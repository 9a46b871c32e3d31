"""One course's tutor: the conversation as the model sees it (a `Transcript` for nanochat), and the chat
backend that answers with it and folds old turns into the rolling summary after each reply."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from autocode_runner.chat.backend import TurnEvents
from autocode_runner.contract.chat import ChatMessageCommand
from autocode_runner.contract.convert import ContractError, from_dict, to_dict
from autocode_runner.contract.learning import HISTORY_FILE, PROTECTED_FILES, TUTOR_DIR, ReviewPrompt
from autocode_runner.contract.specs import CourseSpec
from autocode_runner.contract.vocab import LogLevel
from autocode_runner.instance_io import EventSink
from autocode_runner.learning import memory, prompt
from autocode_runner.learning.course_files import CourseFiles
from autocode_runner.learning.tools import TurnState, TutorTools
from autocode_runner.nanochat.backend import NanobotChat
from autocode_runner.nanochat.config import ChatConfig
from autocode_runner.nanochat.history import ChatHistory
from autocode_runner.textfiles import LinkRefused

log = logging.getLogger(__name__)
REBUILT_NOTICE = (
    f"The course's {HISTORY_FILE} was missing, so it was rebuilt from the conversation saved on the server; "
    "the tutor still knows everything said here."
)


def review_of(message: ChatMessageCommand) -> ReviewPrompt | None:
    data = message.context.get("review") if message.context else None
    if data is None:
        return None
    try:
        return from_dict(ReviewPrompt, data)
    except ContractError:
        return None


class Tutor:
    """The course's conversation: `chat_history.json` holds every message; a request carries the rolling summary
    and the messages after it."""

    def __init__(self, spec: CourseSpec, files: CourseFiles, state: TurnState) -> None:
        self.spec = spec
        self.files = files
        self.state = state
        self.conversation = ChatHistory(files.history, spec.history)
        self.rebuilt = self.conversation.rebuilt
        if self.rebuilt:
            self.files.write_summary("", 0)  # it counted messages of the lost file: fold the rebuilt one afresh

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.conversation.messages

    # -- Transcript --------------------------------------------------------------------------------
    def system_prompt(self) -> str:
        try:
            notes = self.files.read_notes()
        except LinkRefused as error:
            notes = f"(The notes cannot be read: {error}.)"
        self.state.notes_seen = notes
        summary, _ = self.files.read_summary()
        return prompt.system_prompt(self.spec, self.state.level, notes, summary)

    def history(self) -> list[dict[str, Any]]:
        _, covers = self.files.read_summary()
        return [{"role": item["role"], "content": self._model_words(item)} for item in self.messages[covers:]]

    def model_text(self, message: ChatMessageCommand) -> str:
        review = review_of(message)
        self.state.review = review
        return prompt.review_text(review, message.text) if review else message.text

    def record(self, message: ChatMessageCommand, reply: str) -> None:
        review = review_of(message)
        self.conversation.record(message, reply, **({"review": to_dict(review)} if review else {}))

    @staticmethod
    def _model_words(item: dict[str, Any]) -> str:
        review = item.get("review")
        if isinstance(review, dict):
            try:
                return prompt.review_text(from_dict(ReviewPrompt, review), str(item["text"]))
            except ContractError:
                pass
        return str(item["text"])

    # -- the rolling summary -------------------------------------------------------------------------
    async def fold(self, chat: NanobotChat) -> bool:
        """Fold the oldest recent messages into the summary when the recent part has grown too big."""
        summary, covers = self.files.read_summary()
        end = memory.fold_until(self.messages, covers, self.spec.fold_above_chars, self.spec.keep_recent_chars)
        if end is None:
            return False
        text = await chat.ask_once(memory.SUMMARISER, memory.fold_request(summary, self.messages[covers:end]))
        if text is None:
            return False
        self.files.write_summary(text.strip(), end)
        return True


class TutorBackend:
    """The chat backend of a course instance (autocode_runner.chat.ChatBackend)."""

    def __init__(self, spec: CourseSpec, sink: EventSink) -> None:
        self.sink = sink
        files = CourseFiles(Path(spec.directory))
        self.state = TurnState(spec.level)
        self.tutor = Tutor(spec, files, self.state)
        tools = TutorTools(files, spec.level_scale, self.state, lambda report: sink.state(to_dict(report)))
        self.chat = NanobotChat(
            ChatConfig(root=files.tutor_dir / "nanobot", workspace=files.directory),
            spec.model,
            spec.access.api_key,
            spec.access.base_url,
            self.tutor,
            built_in_tools=spec.tools,
            tools=tools.chat_tools(),
            protected=(*PROTECTED_FILES, TUTOR_DIR),
        )

    async def reply(self, message: ChatMessageCommand, events: TurnEvents) -> None:
        self.state.turn = message.turn
        if self.tutor.rebuilt:
            events.notice(REBUILT_NOTICE)
            self.tutor.rebuilt = False
            await self._fold()  # a rebuilt history may be long: summarised before it is sent
        await self.chat.reply(message, events)
        await self._fold()  # after the reply, so the student does not wait for it

    async def _fold(self) -> None:
        try:
            if await self.tutor.fold(self.chat):
                self.sink.log(LogLevel.INFO, "Folded older turns of the course into its summary")
        except Exception as error:  # the next turn tries again
            log.exception("folding the course's summary failed")
            self.sink.log(LogLevel.ERROR, f"Summarising older turns failed: {error}")

    async def interrupt(self) -> None:
        await self.chat.interrupt()

    async def close(self) -> None:
        await self.chat.close()

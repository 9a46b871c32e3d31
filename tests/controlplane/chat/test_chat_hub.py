"""The chat hub on a real (migrated) database: what is stored, how frames are numbered, and what a reconnecting
client gets with after=N, also after the hub itself was replaced (a control-plane restart)."""

from __future__ import annotations

from autocode_runner.contract.chat import ChatEvent, ChatEventType, ChatUsage, ToolActivity, ToolStatus
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from controlplane.chat import store
from controlplane.chat.conversation import Conversation
from controlplane.chat.hub import SEQ_BLOCK, ChatHub
from controlplane.models import Agent, ResearchSession
from controlplane.models.chat import ChatRole, ChatStatus
from tests.support.app import Account


def research_of(app: FastAPI, owner: Account, name: str = "Hosting") -> Conversation:
    with Session(app.state.engine) as session:
        agent = Agent(user_id=owner.id, name=f"researcher-{name}", type="research", model="anthropic/claude-opus-4-6")
        session.add(agent)
        session.flush()
        research = ResearchSession(user_id=owner.id, agent_id=agent.id or 0, name=name, slug=name.lower())
        session.add(research)
        session.commit()
        return Conversation(owner.id, "research", research.id or 0)


def delta(turn: int, text: str) -> ChatEvent:
    return ChatEvent(type=ChatEventType.DELTA, turn=turn, text=text)


def test_a_turn_is_stored_numbered_and_replayed_after_any_number(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    hub = ChatHub(app.state.engine)
    chat = research_of(app, alice)
    turn = hub.user_message(chat, "Where to host Next.js?", []).id or 0
    tool = ToolActivity(id="t1", name="WebSearch", summary="next.js hosting")
    hub.apply(chat, ChatEvent(type=ChatEventType.TOOL, turn=turn, tool=tool))
    hub.apply(
        chat, ChatEvent(type=ChatEventType.TOOL, turn=turn, tool=ToolActivity("t1", "WebSearch", "q", ToolStatus.DONE))
    )
    hub.apply(chat, delta(turn, "Vercel "))
    hub.apply(chat, delta(turn, "or a VPS."))
    frames, last = hub.backlog(chat, 0)
    assert [frame["type"] for frame in frames] == ["message", "tool", "tool", "delta", "delta"]
    seqs = [frame["seq"] for frame in frames]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and last == seqs[-1]
    in_the_middle, _ = hub.backlog(chat, seqs[2])
    assert [frame["text"] for frame in in_the_middle] == ["Vercel ", "or a VPS."]

    usage = ChatUsage(input_tokens=120, output_tokens=9)
    hub.apply(
        chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Vercel or a VPS.", usage=usage, cost_usd=0.0123)
    )
    after_completion, last_now = hub.backlog(chat, seqs[2])
    assert [frame["type"] for frame in after_completion] == ["completed"], "the stored reply replaces its deltas"
    reply = after_completion[0]["message"]
    assert reply["content"] == "Vercel or a VPS." and reply["reply_to"] == turn
    assert reply["usage"]["input_tokens"] == 120 and reply["cost_usd"] == 0.0123
    assert reply["tools"] == [{"id": "t1", "name": "WebSearch", "summary": "q", "status": "done", "detail": ""}]
    assert last_now == after_completion[0]["seq"] > seqs[-1]
    with Session(app.state.engine) as session:
        rows = store.messages(session, chat)
    assert [(row.role, row.status) for row in rows] == [("user", "done"), ("assistant", "done")]


def test_numbers_keep_rising_after_a_restart_even_past_unstored_deltas(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    hub = ChatHub(app.state.engine)
    chat = research_of(app, alice)
    turn = hub.user_message(chat, "Long question", []).id or 0
    for n in range(SEQ_BLOCK + 5):  # past the first reserved block
        hub.apply(chat, delta(turn, f"{n} "))
    highest_before = hub.backlog(chat, 0)[1]
    restarted = ChatHub(app.state.engine)  # the control plane restarted: the deltas were only in memory
    restarted.apply(chat, delta(turn, "again"))
    frames, _ = restarted.backlog(chat, highest_before)
    assert [frame["text"] for frame in frames] == ["again"], "a client that saw every old delta misses nothing"
    assert frames[0]["seq"] > highest_before


def test_an_error_keeps_the_message_and_what_was_said_and_a_retry_makes_it_pending_again(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    hub = ChatHub(app.state.engine)
    chat = research_of(app, alice)
    turn = hub.user_message(chat, "Compare hosts", []).id or 0
    hub.apply(chat, delta(turn, "Half an ans"))
    hub.apply(
        chat, ChatEvent(type=ChatEventType.ERROR, turn=turn, text="Anthropic is overloaded (529)", retryable=True)
    )
    frames, _ = hub.backlog(chat, 0)
    assert [frame["type"] for frame in frames] == ["completed", "error"]
    assert frames[0]["message"]["status"] == "interrupted" and frames[0]["message"]["content"] == "Half an ans"
    assert frames[1]["error"] == "Anthropic is overloaded (529)" and frames[1]["retryable"] is True
    assert frames[1]["message"]["content"] == "Compare hosts" and frames[1]["message"]["status"] == "failed"
    failed_at = frames[1]["seq"]

    assert hub.apply(chat, delta(turn, "late")) is False, "a late event of an ended reply is dropped"
    again = hub.pending_again(chat, turn)
    assert again is not None and again.status == ChatStatus.PENDING and again.error == ""
    replay, _ = hub.backlog(chat, failed_at)
    assert [(frame["type"], frame["message"]["status"]) for frame in replay] == [("message", "pending")]
    assert hub.pending_again(chat, turn) is None, "only a failed message can be sent again"


def test_a_notice_is_stored_and_events_naming_another_conversation_are_dropped(
    client: TestClient, app: FastAPI, alice: Account, bob: Account
) -> None:
    hub = ChatHub(app.state.engine)
    mine, theirs = research_of(app, alice), research_of(app, bob, "Other")
    turn = hub.user_message(mine, "Hello", []).id or 0
    notice = ChatEvent(type=ChatEventType.NOTICE, turn=turn, text="Started afresh: the old session was gone")
    assert hub.apply(mine, notice) is True
    assert hub.apply(theirs, delta(turn, "sneaky")) is False, "bob's runner cannot write into alice's turn"
    with Session(app.state.engine) as session:
        rows = store.messages(session, mine)
        assert store.messages(session, theirs) == []
    assert [row.role for row in rows] == [ChatRole.USER, ChatRole.NOTICE]
    assert rows[1].content.startswith("Started afresh") and rows[1].reply_to == turn


def test_a_stopped_reply_is_stored_as_interrupted_and_a_messages_context_with_it(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    hub = ChatHub(app.state.engine)
    chat = research_of(app, alice)
    review = {"review": {"card_id": 7, "kind": "word", "front": "dog", "back": "pes"}}
    message = hub.user_message(chat, "pes", [], review)
    assert message.context == review, "stored in the same write as the message"
    frames, _ = hub.backlog(chat, 0)
    assert frames[0]["message"]["context"] == review, "and published with it"
    turn = message.id or 0
    hub.apply(chat, delta(turn, "Once upon"))
    hub.apply(chat, ChatEvent(type=ChatEventType.COMPLETED, turn=turn, text="Once upon", interrupted=True))
    with Session(app.state.engine) as session:
        rows = store.messages(session, chat)
    assert [(row.role, row.status) for row in rows] == [("user", "done"), ("assistant", "interrupted")]

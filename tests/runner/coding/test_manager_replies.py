"""The manager's pure parts on the host: reading the model's replies, the data model, and the config it writes.

Everything that needs nanobot runs in a real sandbox (tests/runner/coding/test_manager_llm.py); these need nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from autocode_runner.coding.manager.config import (
    ManagerFiles,
    nanobot_config,
    write_manager_files,
)
from autocode_runner.coding.manager.errors import ReplyFormatError
from autocode_runner.coding.manager.replies import json_object, parse_answer, parse_decision, parse_plan, plain_text
from autocode_runner.coding.plan import Answer, Decision
from autocode_runner.contract.plan import PlanStep
from autocode_runner.contract.vocab import StepStatus
from autocode_runner.nanobot_support import API_KEY_PLACEHOLDER, provider_message, split_model

STEP = {"title": "Skeleton", "details": "Create app.py", "acceptance": "pytest passes"}


@pytest.mark.parametrize(
    "reply",
    [
        '{"verdict": "fix", "message": "m"}',
        'Sure! Here it is:\n```json\n{"verdict": "fix", "message": "m"}\n```',
        '<think>{"not": "this"} weighing it up</think>\nVerdict follows. {"verdict": "fix", "message": "m"} Done.',
        'I considered {this} first. {"verdict": "fix", "message": "m"}',
    ],
)
def test_json_is_found_in_fences_prose_and_after_thinking(reply: str) -> None:
    assert json_object(reply) == {"verdict": "fix", "message": "m"}


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("", "the reply was empty"),
        ("It is done.", "no JSON object"),
        ('["a", "list"]', "no JSON object"),
        ('{"steps": []}', "'steps' must be a non-empty list"),
        ('{"steps": [{"title": "t", "details": "d"}]}', "steps[0].'acceptance' must be a non-empty string"),
        ('{"steps": ["just a title"]}', "steps[0] must be an object"),
        (
            json.dumps({"steps": [{"title": "t" * 301, "details": "d", "acceptance": "a"}]}),
            "steps[0].title: must be 1 to",
        ),
    ],
)
def test_a_bad_plan_names_what_is_wrong(reply: str, problem: str) -> None:
    with pytest.raises(ReplyFormatError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_plan(reply)


def test_a_plan_becomes_pending_steps() -> None:
    assert parse_plan(json.dumps({"steps": [STEP, {**STEP, "title": " Two "}]})) == [
        PlanStep("Skeleton", "Create app.py", "pytest passes"),
        PlanStep("Two", "Create app.py", "pytest passes"),
    ]


def test_decisions_need_a_known_verdict_and_a_message_unless_complete() -> None:
    assert parse_decision('{"verdict": " Complete ", "reason": "tests pass"}') == Decision("complete", "", "tests pass")
    with pytest.raises(ReplyFormatError, match="'verdict' must be one of complete, fix, retry, got 'done'"):
        parse_decision('{"verdict": "done"}')
    with pytest.raises(ReplyFormatError, match="'message' must say what Claude Code should do"):
        parse_decision('{"verdict": "retry", "message": "  "}')


def test_answers_are_option_numbers_or_free_text() -> None:
    options = ["Yes", "Yes, and don't ask again", "No"]
    assert parse_answer('{"keys": 2, "reason": "r"}', options) == Answer("2", "r")
    assert parse_answer('{"keys": "3."}', options) == Answer("3")
    assert parse_answer('{"keys": "yes, and DON\'T ask again"}', options) == Answer("2")
    assert parse_answer('{"keys": "Use SQLite"}', []) == Answer("Use SQLite")
    with pytest.raises(ReplyFormatError, match="one of the options, 1 to 3, got '4'"):
        parse_answer('{"keys": "4"}', options)


def test_free_text_loses_a_fence_around_all_of_it_but_keeps_inner_ones() -> None:
    assert plain_text("```\nDo this.\n```") == "Do this."
    inner = "Run:\n```sh\npytest -q\n```\nthen report."
    assert plain_text(inner) == inner
    with pytest.raises(ReplyFormatError):
        plain_text("<think>only thoughts</think>")


def test_the_data_model_round_trips_and_refuses_nonsense() -> None:
    step = PlanStep("t", "d", "a", status=StepStatus.RUNNING, attempts=2)
    assert PlanStep.from_dict(step.to_dict()) == step
    assert Decision.from_dict(Decision("fix", "m", "r").to_dict()) == Decision("fix", "m", "r")
    assert Answer.from_dict(Answer("1", "r").to_dict()) == Answer("1", "r")
    with pytest.raises(ValueError, match="status: must be one of"):
        PlanStep.from_dict({**STEP, "status": "finished"})
    with pytest.raises(ValueError, match="'verdict' must be one of"):
        Decision.from_dict({"verdict": "ok"})


def test_the_model_prefix_picks_the_provider() -> None:
    assert split_model("openai/gpt-4o") == ("openai", "gpt-4o")
    assert split_model("anthropic/claude-sonnet-4-5") == ("anthropic", "claude-sonnet-4-5")
    for model in ("gpt-4o", "mistral/large", "openai/"):
        with pytest.raises(ValueError, match="'openai/<model>' or 'anthropic/<model>'"):
            split_model(model)


def test_the_config_keeps_the_key_out_and_every_tool_off(tmp_path: Path) -> None:
    files = ManagerFiles.under(tmp_path)
    config = nanobot_config(files, "anthropic/claude-sonnet-4-5", "http://proxy.local")
    assert config["agents"]["defaults"]["provider"] == "anthropic"
    assert config["agents"]["defaults"]["model"] == "claude-sonnet-4-5"
    assert config["providers"] == {"anthropic": {"apiKey": API_KEY_PLACEHOLDER, "apiBase": "http://proxy.local"}}
    # Another endpoint speaks Chat Completions; on api.openai.com nanobot chooses (Responses for GPT-5/codex).
    assert nanobot_config(files, "openai/gpt-4o", "http://127.0.0.1:9/v1")["providers"]["openai"] == {
        "apiKey": API_KEY_PLACEHOLDER,
        "apiBase": "http://127.0.0.1:9/v1",
        "apiType": "chat_completions",
    }
    assert nanobot_config(files, "openai/gpt-5.3-codex", None)["providers"]["openai"] == {"apiKey": API_KEY_PLACEHOLDER}
    write_manager_files(files, "openai/gpt-4o", None, "IDENTITY")
    files.memory.write_text("- kept\n")
    write_manager_files(files, "openai/gpt-4o", None, "NEW IDENTITY")
    assert files.identity.read_text() == "NEW IDENTITY"
    assert files.memory.read_text() == "- kept\n", "memory survives a restart of the manager"
    assert not files.sessions.is_relative_to(files.agent_workspace)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            "Error: {'message': 'Incorrect API key provided.', 'type': 'invalid_request_error', 'param': None,"
            " 'code': 'invalid_api_key'}",
            "Incorrect API key provided. (invalid_api_key)",
        ),
        (
            "Error: {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
            "Overloaded (overloaded_error)",
        ),
        ("Error calling LLM: Connection error.", "Error calling LLM: Connection error."),
    ],
)
def test_the_providers_own_words_are_kept(error: str, message: str) -> None:
    assert provider_message(error) == message

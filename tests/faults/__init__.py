# ruff: noqa: E501 - the table of faults keeps one row per line
"""Faults (issue 17): each must heal, with nothing lost and the affected work resuming, within a deadline.

Every fault of the issue and the test that holds it; the new ones are in this folder, the rest were already proved
where their feature is tested and are not repeated here.

| fault | test |
|---|---|
| `docker kill` of a sandbox while a project runs | `test_sandbox_faults.py::test_a_docker_kill_mid_project_is_healed_and_the_project_goes_on_from_its_step` |
| `docker kill` of a sandbox while a chat streams | `test_sandbox_faults.py::test_a_docker_kill_mid_chat_reply_keeps_the_message_and_answers_it_or_offers_a_retry` |
| `docker kill` of an idle sandbox | `tests/controlplane/sandbox/test_lifecycle.py::test_a_killed_sandbox_is_healed_by_the_reconciler` |
| a sandbox restarted mid project / mid chat reply | `tests/controlplane/projects/test_coding_agent.py::test_a_sandbox_restart_mid_project_resumes_at_the_current_step`, `tests/controlplane/learning/test_learning_sandbox_restart.py`, `tests/controlplane/runtime/test_echo_kind.py` |
| the runner killed, then Claude Code killed, mid project | `test_sandbox_faults.py::test_a_killed_runner_then_a_killed_claude_code_mid_project_are_both_healed` |
| the runner killed (no work) | `tests/controlplane/sandbox/test_lifecycle.py::test_a_killed_runner_is_restarted` |
| Claude Code killed mid project | `tests/controlplane/projects/test_coding_agent.py::test_a_killed_claude_code_is_resumed_and_given_the_task_again` |
| a research's process killed mid reply | `tests/controlplane/research/test_research_restarts.py` (the picture sent again), `tests/controlplane/research/test_research_end_to_end.py` |
| SIGKILL of the control plane mid project and mid chat reply | `test_control_plane_kill.py::test_a_sigkilled_control_plane_is_replaced_and_the_project_and_the_reply_go_on` |
| the control plane stopped mid research reply (a clean shutdown) | `tests/controlplane/research/test_research_restarts.py::test_a_research_carries_on_across_restarts_a_resent_picture_and_a_lost_transcript` |
| a control-plane restart adopts running sandboxes | `tests/controlplane/sandbox/test_lifecycle.py::test_a_control_plane_restart_adopts_running_sandboxes` |
| the lock of a SIGKILLed control plane | `tests/controlplane/test_one_process.py::test_a_killed_control_plane_leaves_no_lock_behind` |
| chat numbering across a restart | `tests/controlplane/chat/test_chat_hub.py::test_numbers_keep_rising_after_a_restart_even_past_unstored_deltas` |
| a restart of the engine (`dockerd`) mid project and mid chat reply | `test_engine_restart.py::test_an_engine_restart_is_healed_and_the_project_and_the_reply_go_on` (`disruptive`) |
| a full data disk | `test_full_disk.py::test_a_full_disk_is_refused_in_words_corrupts_nothing_and_heals_once_freed` |
| SQLite under concurrent writers | `test_concurrent_writers.py::test_many_concurrent_writers_never_see_a_locked_database_and_lose_nothing` |

`disruptive` tests (the engine restart) disturb every other docker test on the machine: `make test` and a plain
`pytest` skip them; run them alone with `.venv/bin/pytest -m disruptive tests/faults` (conftest.py)."""

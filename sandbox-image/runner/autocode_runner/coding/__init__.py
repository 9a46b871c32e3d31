"""The coding agent: one control loop per project driving Claude Code through a plan (docs/coding-agent.md).

- `instance`: the project's process entry; `loop`: plan, send, monitor, evaluate, escalate; `state`: what a
  restart resumes from; `ports`: what the loop needs from Claude Code and the manager; `wiring`: the real
  parts behind the ports; `identity`, `workspace`, `plan` (decisions and answers).
- `claude/`: Claude Code in tmux (the driver) and what its screen shows (the classifier).
- `manager/`: the nanobot manager LLM, each decision made in a short-lived process.
"""

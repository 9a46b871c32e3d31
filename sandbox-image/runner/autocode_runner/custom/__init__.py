"""The custom kind in the sandbox: one chat of a custom agent, a nanobot chat (autocode_runner.nanochat) built from
the agent's model, prompt, catalogue tools and MCP servers, its conversation kept in the chat's folder
(docs/custom-agents.md)."""

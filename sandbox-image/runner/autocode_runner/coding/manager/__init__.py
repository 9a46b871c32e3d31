"""The manager LLM (nanobot): its files, prompts and reply parsing, and one short-lived process per decision.

`llm.ManagerLLM` makes the decisions; `process.ManagerProcess` is the loop's ManagerPort, running each call in
`python -m autocode_runner.coding.manager.call` so the monitoring instance stays small.
"""

"""The learning kind in the sandbox: one course's tutor, a nanobot chat (autocode_runner.nanochat) that keeps the
student's notes, review cards, level and a rolling summary of the course (docs/learning.md)."""

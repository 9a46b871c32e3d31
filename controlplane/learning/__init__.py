"""The learning agent on the control plane: subjects and courses, the tutor's instances (a chat kind), the
student's notes in the sandbox, and review cards scheduled by FSRS (docs/learning.md)."""

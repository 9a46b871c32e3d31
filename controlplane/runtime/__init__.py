"""The agent runtime on the control plane: one supervisor for instances of every kind.

An agent kind plugs in with a `KindHandler` (kinds.py): which of its instances should run, how to build one's
spec, and what its reports mean for its own rows. The supervisor does the rest for every kind alike: starting
and stopping through the user's runner, ordered event consumption per channel, `agent_instances` rows,
live events, and the sync that starts again what should run after any restart.
"""

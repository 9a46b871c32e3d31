"""Coding projects on the control-plane side: keys, the instance spec, and the supervisor of instances."""

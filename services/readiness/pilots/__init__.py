"""Pilot sets of a program: the engine's proposal, a manager's confirmation, and the selection rules behind both."""

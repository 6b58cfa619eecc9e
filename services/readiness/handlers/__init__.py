"""Readiness command handlers: authorize, then load -> decide -> append (never HTTP)."""

"""Playbook templates as this service offers them: the catalog and its read-only API."""

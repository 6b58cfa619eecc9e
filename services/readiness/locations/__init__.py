"""Locations: registration, facts and profile changes, the location aggregate and its read model."""

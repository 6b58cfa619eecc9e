"""Completion per location and role, who is missing what, published as `LocationTrainingStatusChanged`."""

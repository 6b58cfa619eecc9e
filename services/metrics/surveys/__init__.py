"""Satisfaction surveys: providers 1-5, clinicians 1-10, patients; one answer per person per survey."""

"""The resistance log: objections raised per location and role, the response used and the outcome."""

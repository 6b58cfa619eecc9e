"""Train-the-trainer lineage: who trained whom, with each trainer's champion status."""

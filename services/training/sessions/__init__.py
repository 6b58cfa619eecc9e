"""Training sessions: curriculum, trainer, attendees and their knowledge checks -> `TrainingCompleted`."""

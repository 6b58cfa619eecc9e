"""Training settings: `TRAINING_PORT`, `TRAINING_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from shared.config import service_settings

TrainingSettings = service_settings("training", 8003)

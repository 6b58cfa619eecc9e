"""PMS and scanner integrations: registration, secrets, clinic mapping, location intake settings."""

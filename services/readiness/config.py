"""Readiness settings: `READINESS_PORT`, `READINESS_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from shared.config import service_settings

ReadinessSettings = service_settings("readiness", 8001)

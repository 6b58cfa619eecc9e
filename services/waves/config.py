"""Waves settings: `WAVES_PORT`, `WAVES_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from shared.config import service_settings

WavesSettings = service_settings("waves", 8002)

"""Metrics settings: `METRICS_PORT`, `METRICS_DATABASE_URL` (else `DATABASE_URL`), and the shared ones."""

from shared.config import service_settings

MetricsSettings = service_settings("metrics", 8004)

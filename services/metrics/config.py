"""Metrics settings: `METRICS_PORT`, `METRICS_DATABASE_URL` (else `DATABASE_URL`), and its own:

`METRICS_PATIENT_KEY_SECRET` — the secret per-org patient-key HMAC keys derive from (else one kept
in `<var_dir>/keys/metrics-patient-key`, made on first start); `METRICS_CLOCK_SKEW_S` — how far in the
future a source timestamp may be (clock skew between the source and us) before it is refused;
`METRICS_PUBLISH_KPIS` — publish `LocationKpisMeasured` (off only for tests that replay by hand).
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.config import ServiceSettings, own, own_database


class MetricsSettings(ServiceSettings):
    service: str = "metrics"
    port: int = Field(8004, validation_alias=own("metrics", "port"))
    database_url: str | None = Field(None, validation_alias=own_database("metrics"))
    patient_key_secret: SecretStr | None = Field(None, validation_alias=own("metrics", "patient_key_secret"))
    publish_kpis: bool = Field(True, validation_alias=own("metrics", "publish_kpis"))
    clock_skew_s: float = Field(300.0, ge=0, validation_alias=own("metrics", "clock_skew_s"))

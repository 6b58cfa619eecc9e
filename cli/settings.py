"""Each component's settings class, by name: the CLI is the one place that knows them all."""

from __future__ import annotations

from services.gateway.config import GatewaySettings
from services.metrics.config import MetricsSettings
from services.readiness.config import ReadinessSettings
from services.training.config import TrainingSettings
from services.waves.config import WavesSettings
from shared.config import ServiceSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "readiness": ReadinessSettings, "waves": WavesSettings, "training": TrainingSettings,
    "metrics": MetricsSettings, "gateway": GatewaySettings,
}


def service_settings(name: str) -> ServiceSettings:
    """The settings of component `name`, read from the environment."""
    return SETTINGS[name]()

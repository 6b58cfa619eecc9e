"""The deploy files validate without a cluster: the Kubernetes manifests against the API schemas
(kubernetes-validate, offline), compose.yaml by its invariants (and `docker compose config` where the
plugin exists), the image runs as non-root from a pinned base."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = "1.30.0"
DOMAIN = ("readiness", "waves", "training", "metrics")


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def manifests() -> list[dict[str, Any]]:
    return [d for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in documents(path)]


def test_every_manifest_validates_against_the_kubernetes_schemas() -> None:
    found = manifests()
    assert {d["kind"] for d in found} >= {"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "StatefulSet",
                                          "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    for document in found:
        kubernetes_validate.validate(document, KUBERNETES, strict=True)


def test_workloads_are_probed_sized_and_unprivileged() -> None:
    found = manifests()
    deployments = {d["metadata"]["name"]: d for d in found if d["kind"] == "Deployment"}
    assert set(deployments) == {*DOMAIN, "gateway"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"] and container["securityContext"]["readOnlyRootFilesystem"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
        assert container["args"][0] == f"services.{name}.app:create_app"
    # Every service scales out: domain services hand their consumers over by the read model's lease.
    assert all(d["spec"]["replicas"] >= 2 for d in deployments.values())
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d for d in found if d["kind"] == "HorizontalPodAutoscaler"}
    assert set(scaled) == {*DOMAIN, "gateway"} and all(h["spec"]["minReplicas"] >= 2 for h in scaled.values())
    assert {d["metadata"]["name"] for d in found if d["kind"] == "PodDisruptionBudget"} == {"nats", *DOMAIN, "gateway"}
    [nats] = [d for d in found if d["kind"] == "StatefulSet"]
    assert nats["spec"]["replicas"] == 3
    [config] = [d for d in found if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "nats-config"]
    assert "sync_interval: always" in config["data"]["nats.conf"]
    settings = next(d for d in found if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "rollout-config")
    assert settings["data"]["STREAM_REPLICAS"] == "3" and settings["data"]["NATS_URL"].count("nats://") == 3


def test_compose_runs_a_three_node_fsynced_cluster_and_every_service() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"nats-1", "nats-2", "nats-3", "postgres", *DOMAIN, "gateway"} <= set(services)
    for node in ("nats-1", "nats-2", "nats-3"):
        conf = (DEPLOY / "nats" / f"{node}.conf").read_text()
        assert "sync_interval: always" in conf and f"server_name: {node}" in conf
        assert all(f"nats-route://nats-{n}:6222" in conf for n in (1, 2, 3))
    for name in (*DOMAIN, "gateway"):
        service = services[name]
        assert service["command"][0] == f"services.{name}.app:create_app" and service["healthcheck"]["test"]
        assert service["environment"]["STREAM_REPLICAS"] == "3"
        assert service["deploy"]["replicas"] == 2
    images = [s["image"] for s in services.values() if "image" in s]
    assert images and not any(i.endswith(":latest") or ":" not in i for i in images)


def test_the_image_is_pinned_and_runs_as_non_root() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    [base] = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert re.search(r":\d+\.\d+\.\d+", base), base
    assert re.search(r"^USER 10001$", dockerfile, flags=re.MULTILINE)


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker is not installed")
def test_docker_compose_accepts_the_file() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    env = os.environ | {k: "x" for k in ("INTERNAL_AUTH_KEY", "AUTH_JWKS_URL", "AUTH_ISSUER", "POSTGRES_PASSWORD",
                                         "METRICS_PATIENT_KEY_SECRET", "GATEWAY_AUDIT_KEY")}
    checked = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                             capture_output=True, text=True, env=env, check=False)
    assert checked.returncode == 0, checked.stderr

"""The `rollout` command: development tokens and projection rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.auth import TokenVerifier
from shared.cli.main import app
from shared.config import PlatformSettings

runner = CliRunner()


def test_token_prints_a_verifiable_scoped_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    result = runner.invoke(app, ["token", "--org", "demo", "--role", "regional_admin", "--region", "north"])
    assert result.exit_code == 0, result.output
    principal = TokenVerifier(PlatformSettings(var_dir=tmp_path)).verify(result.output.strip())
    assert (principal.org, principal.role, principal.regions) == ("demo", "regional_admin", ("north",))


def test_token_refuses_an_unknown_role_and_a_bad_org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    bad_role = runner.invoke(app, ["token", "--org", "demo", "--role", "janitor"])
    assert bad_role.exit_code != 0 and "role must be one of" in bad_role.output
    bad_org = runner.invoke(app, ["token", "--org", "de.mo", "--role", "super_admin"])
    assert bad_org.exit_code != 0

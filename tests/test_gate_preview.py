"""The offline preview as a gate: it runs every rule and fails on a violation."""

from __future__ import annotations

import yaml

from offline import preview
from offline.engine import PROJECT_DIR


def test_preview_passes_dev(monkeypatch, tmp_path, capsys):
    from tests.conftest import stack_run

    monkeypatch.setattr(preview, "run_program", lambda stack, config_dir, **_: stack_run(stack))
    code = preview.main(["--stack", "dev", "--build-dir", str(tmp_path)])
    output = capsys.readouterr()
    assert code == 0
    assert "waived by single-az-database: rule rds-multi-az on database-mysql" in output.out
    assert output.err == ""
    assert (tmp_path / "dev" / "policy-config.json").exists()


def test_preview_fails_on_connection_overrun(tmp_path, capsys):
    # A prod config the config model accepts, whose HPA maximums the database cannot serve.
    document = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    services = {s["name"]: s for s in document["config"]["topfans:services"]}
    services["collection"]["autoscaling"]["maxReplicas"] = 30
    services["user"]["autoscaling"]["maxReplicas"] = 20
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document))

    code = preview.main(
        ["--stack", "prod", "--config-dir", str(tmp_path), "--build-dir", str(tmp_path / "build")]
    )
    errors = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(errors) == 1
    (line,) = errors
    assert line.startswith("FAILED rule capacity-database-connections failed on database-mysql:")
    assert "collection 38 pods (HPA max 30 + surge 8) x pool 15 = 570" in line
    assert "user 25 pods (HPA max 20 + surge 5) x pool 10 = 250" in line
    assert "star 3 pods (replicas 2 + surge 1) x pool 10 = 30" in line
    assert "850 connections" in line
    assert "max_connections 614 (491;" in line
    assert "raise database.instanceClass" in line

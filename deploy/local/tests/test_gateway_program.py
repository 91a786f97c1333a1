"""The gateway's facility credentials on a local stack: `make run` draws demo credentials for the
two direct-billing facilities once per data dir (0600), which the gateway's settings parse; a
credential set in the environment (the test suite's own) is passed instead."""

from __future__ import annotations

import os
import stat

from amo_gateway.settings import Settings
from amo_localstack import StackConfig
from amo_localstack.service_programs import (
    DEMO_FACILITIES,
    demo_facility_tokens,
    facility_credentials,
    service_env,
)

VAR = "AMO_GATEWAY_FACILITY_CREDENTIALS"


def test_demo_facility_credentials_are_made_once_per_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    cfg = StackConfig.for_tests(tmp_path)
    spec = service_env("gateway", cfg)[VAR]
    assert spec == facility_credentials(cfg) == service_env("gateway", cfg)[VAR]
    assert stat.S_IMODE(os.stat(cfg.facility_credentials_file).st_mode) == 0o600
    known = Settings(facility_credentials=spec).facility_credentials
    assert sorted(known.values()) == sorted(DEMO_FACILITIES)
    assert {fac: token for token, fac in known.items()} == demo_facility_tokens(cfg)
    assert '"' not in spec  # supervisord cannot pass a double quote
    other = StackConfig.for_tests(tmp_path / "other")
    assert facility_credentials(other) != spec
    for name in ("registration", "documents", "claims"):
        assert VAR not in service_env(name, cfg), name


def test_a_credential_from_the_environment_is_passed_as_it_is(tmp_path, monkeypatch):
    mine = "FAC-000201=" + "x" * 24
    monkeypatch.setenv(VAR, mine)
    cfg = StackConfig.for_tests(tmp_path)
    assert service_env("gateway", cfg)[VAR] == mine
    assert demo_facility_tokens(cfg) == {"FAC-000201": "x" * 24}
    assert not cfg.facility_credentials_file.exists()

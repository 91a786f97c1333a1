"""The programs notifications need: Mailpit (a server like the others, probed on its API), the
notifications service (after Mailpit, not among the gateway's upstreams), its SMS sink, and the
data keys registration and claims share. The last test runs Mailpit for real on the session's
stack: SMTP in, its search API out."""

from __future__ import annotations

import os
import smtplib
import stat
from email.message import EmailMessage
from uuid import uuid4

import httpx
import pytest

from amo_localstack import StackConfig
from amo_localstack.mailpit import mailpit_argv, probe_mailpit
from amo_localstack.programs import BY_NAME, SERVER, SERVICE, programs_for
from amo_localstack.service_programs import data_keys, service_env
from amo_localstack.supervision import render
from amo_shared.sealed import Keyring, seal, unseal


def test_mailpit_is_a_server_on_the_stack_ports_and_notifications_follow_it(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    mailpit = BY_NAME["mailpit"]
    assert mailpit.kind == SERVER and not mailpit.optional
    assert mailpit.ports(cfg) == {
        "mailpit_ui_port": cfg.mailpit_ui_port,
        "mailpit_smtp_port": cfg.mailpit_smtp_port,
    }
    argv = mailpit_argv(cfg)
    assert argv[argv.index("--listen") + 1] == f"127.0.0.1:{cfg.mailpit_ui_port}"
    assert argv[argv.index("--smtp") + 1] == f"127.0.0.1:{cfg.mailpit_smtp_port}"
    assert argv[argv.index("--database") + 1].startswith(str(cfg.data_dir))
    notifications = BY_NAME["notifications"]
    assert notifications.kind == SERVICE and "mailpit" in notifications.after
    assert notifications.ports(cfg) == {"notifications_http_port": cfg.notifications_http_port}
    assert "notifications" not in BY_NAME["gateway"].after


def test_notifications_get_the_smtp_server_and_an_sms_sink_in_the_data_dir(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    env = service_env("notifications", cfg)
    assert env["AMO_NOTIFICATIONS_SMTP_HOST"] == "127.0.0.1"
    assert env["AMO_NOTIFICATIONS_SMTP_PORT"] == str(cfg.mailpit_smtp_port)
    assert env["AMO_NOTIFICATIONS_SMS_OUTBOX"] == str(cfg.data_dir / "sms-outbox.jsonl")
    assert env["AMO_NOTIFICATIONS_HTTP_PORT"] == str(cfg.notifications_http_port)
    assert not any(k.endswith("DATA_KEYS") for k in env)  # it never sees bank details


def test_registration_and_claims_share_one_data_keyring_made_once_per_data_dir(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    reg = service_env("registration", cfg)["AMO_REGISTRATION_DATA_KEYS"]
    claims = service_env("claims", cfg)["AMO_CLAIMS_DATA_KEYS"]
    assert reg == claims == data_keys(cfg)  # the same spec at every start
    mode = stat.S_IMODE(os.stat(cfg.data_keys_file).st_mode)
    assert mode == 0o600
    ring = Keyring.parse(reg)
    assert unseal(seal("011780000000000010000365", ring, hint="****0365"), ring)
    assert '"' not in reg  # supervisord cannot pass a double quote
    other = StackConfig.for_tests(tmp_path / "other")
    assert data_keys(other) != reg  # another data dir, another key
    for name in ("documents", "eligibility", "cards", "gateway"):
        assert not any(k.endswith("DATA_KEYS") for k in service_env(name, cfg)), name
    # the keys reach supervisord's configuration for those two programs only
    conf = render(cfg, programs_for(cfg))
    assert conf.count(reg) == 2


def test_the_mailpit_probe_fails_until_it_answers(tmp_path):
    cfg = StackConfig.for_tests(tmp_path)
    with pytest.raises(httpx.HTTPError):
        probe_mailpit(cfg)  # nothing listens on a free port


@pytest.mark.stack
def test_mailpit_on_the_stack_takes_smtp_and_answers_its_search_api(stack):
    cfg = stack.cfg
    probe_mailpit(cfg)
    to = f"probe-{uuid4().hex[:8]}@example.ma"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "probe@amo.ma", to, "probe"
    msg.set_content("hello")
    with smtplib.SMTP(cfg.host, cfg.mailpit_smtp_port, timeout=10) as smtp:
        smtp.send_message(msg)
    found = httpx.get(
        cfg.mailpit_url + "/api/v1/search", params={"query": f"to:{to}"}, timeout=5
    ).json()
    assert found["messages_count"] == 1 and found["messages"][0]["Subject"] == "probe"

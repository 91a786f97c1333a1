"""Log redaction: the allow-list at any depth, free-text scrubbing, exceptions without values, for
our structlog loggers and for stdlib/library loggers alike."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from amo_shared.logging import REDACTED, broker_logger, configure_logging, http_route, scrub

CNIE = "AB123456"
EMAIL = "amina.alaoui@example.ma"
PHONE = "+212612345678"
RIB = "011780000012345678901234"
MEMBER = "M202512345678"
PERSONAL = (CNIE, EMAIL, PHONE, RIB, MEMBER, "Amina", "Alaoui")


@pytest.fixture
def lines(capsys):
    """The JSON lines written by the process's log handler since the fixture started."""
    configure_logging("registration", "INFO", json=True)
    capsys.readouterr()

    def read() -> list[dict]:
        out = capsys.readouterr().out
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    return read


def assert_clean(text: str) -> None:
    for value in PERSONAL:
        assert value not in text, value


def test_only_safe_keys_keep_their_values_at_any_depth(lines):
    structlog.get_logger("amo_cards.handlers").info(
        "card issued",
        application_id="app-1",
        topic="card.issued",
        cnie=CNIE,
        first_name="Amina",
        member_number=MEMBER,
        holder={"last_name": "Alaoui", "email": EMAIL},
        error={"type": "ValueError", "phone": PHONE},
        missing=[{"kind": "cnie", "first_name": "Amina"}],
    )
    (line,) = lines()
    assert line["event"] == "card issued" and line["level"] == "info"
    assert line["service"] == "registration" and line["logger"] == "amo_cards.handlers"
    assert line["application_id"] == "app-1" and line["topic"] == "card.issued"
    assert line["cnie"] == line["first_name"] == line["member_number"] == REDACTED
    assert line["holder"] == REDACTED  # an unknown key hides its whole value, nested or not
    assert line["error"] == {"type": "ValueError", "phone": REDACTED}
    assert line["missing"] == [{"kind": "cnie", "first_name": REDACTED}]
    assert_clean(json.dumps(line))


def test_safe_values_and_messages_are_scrubbed_of_personal_patterns(lines):
    structlog.get_logger("x").warning(f"refused {CNIE} for {EMAIL}", error=f"no card for {MEMBER}")
    (line,) = lines()
    assert line["event"] == "refused [cnie] for [email]"
    assert line["error"] == "no card for [member-number]"


def test_stdlib_library_records_are_json_scrubbed_and_their_extras_redacted(lines):
    logging.getLogger("aiokafka.consumer").warning(
        "sending to %s, phone %s, id %s, rib %s, member %s",
        EMAIL,
        PHONE,
        CNIE,
        RIB,
        MEMBER,
        extra={"first_name": "Amina", "topic": "application.submitted"},
    )
    (line,) = lines()
    assert line["logger"] == "aiokafka.consumer" and line["level"] == "warning"
    assert line["event"] == (
        "sending to [email], phone [phone], id [cnie], rib [bank-account], member [member-number]"
    )
    assert line["first_name"] == REDACTED and line["topic"] == "application.submitted"
    assert line["service"] == "registration" and line["timestamp"].endswith("Z")


class Applicant(BaseModel):
    birth_year: int


def test_exceptions_are_rendered_by_type_and_a_scrubbed_message_never_their_input(lines):
    try:
        try:
            Applicant.model_validate({"birth_year": f"{CNIE} Amina Alaoui"})
        except ValidationError as exc:
            raise RuntimeError(f"handler failed for {EMAIL}") from exc
    except RuntimeError:
        broker_logger().exception("message failed")
        structlog.get_logger("amo_shared.consumer").exception("delivery failed", cnie=CNIE)
    stdlib, ours = lines()
    for line in (stdlib, ours):
        assert_clean(json.dumps(line))
        exception = line["exception"]
        assert exception["type"] == "builtins.RuntimeError"
        assert exception["message"] == "handler failed for [email]"
        assert any("test_logging.py" in frame for frame in exception["frames"])
        cause = exception["error"]
        assert cause["type"] == "pydantic_core._pydantic_core.ValidationError"
        assert cause["message"].startswith("1 validation error(s) for Applicant: birth_year:")
    assert ours["cnie"] == REDACTED


def test_uvicorns_access_line_keeps_method_route_and_status_only(lines):
    token = http_route.set("/v1/applications/{application_id}")
    try:
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "10.1.2.3:51234",
            "GET",
            f"/v1/applications/4f1c?cnie={CNIE}",
            "1.1",
            404,
        )
    finally:
        http_route.reset(token)
    (line,) = lines()
    assert line["event"] == "GET /v1/applications/{application_id} 404"
    assert (line["method"], line["route"], line["status"]) == (
        "GET",
        "/v1/applications/{application_id}",
        404,
    )
    assert "10.1.2.3" not in json.dumps(line) and CNIE not in json.dumps(line)


def test_libraries_with_their_own_handlers_go_through_the_redaction(lines):
    # FastStream installs a console handler of its own on import; ours must replace it.
    logging.getLogger("faststream").addHandler(logging.StreamHandler())
    configure_logging("documents", "INFO", json=True)
    logging.getLogger("faststream").error("could not decode %s", EMAIL)
    (line,) = lines()
    assert line["event"] == "could not decode [email]" and line["service"] == "documents"


def test_levels_below_the_configured_one_are_dropped(lines):
    configure_logging("cards", "WARNING", json=True)
    structlog.get_logger("x").info("not written")
    logging.getLogger("faststream").info("not written either")
    structlog.get_logger("x").warning("written")
    assert [line["event"] for line in lines()] == ["written"]


@given(
    st.from_regex(r"[A-Z]{1,2}[0-9]{5,6}", fullmatch=True),
    st.from_regex(r"M[0-9]{12}", fullmatch=True),
    st.from_regex(r"0[5-7][0-9]{8}", fullmatch=True),
)
def test_scrub_removes_every_identifier_shape_in_free_text(cnie, member, phone):
    text = scrub(f"applicant {cnie}, member {member} (tel. {phone}): refused")
    assert cnie not in text and member not in text and phone not in text
    assert text == "applicant [cnie], member [member-number] (tel. [phone]): refused"


def test_scrub_keeps_ids_timestamps_and_counts_readable():
    text = "app 3f2b9c1e-8d4a-4b7e-9c1a-2f6d8e0b1a3c at 2026-12-02T10:00:00Z, 3 of 200, port 8101"
    assert scrub(text) == text


def test_answered_probes_leave_no_access_line_but_failed_ones_do(lines):
    access = logging.getLogger("uvicorn.access")
    for path, status in (("/readyz", 200), ("/metrics", 200), ("/readyz", 503), ("/v1/x", 200)):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", path, "1.1", status)
    assert [line["event"] for line in lines()] == ["GET /readyz 503", "GET /v1/x 200"]


def test_identifiers_we_make_are_kept_verbatim(lines):
    structlog.get_logger("x").info(
        "relayed",
        message_id="1733116493196",
        event_id="20251201123456",
        application_id="c0ffee00-1234-4567-89ab-012345678901",
    )
    (line,) = lines()
    assert line["message_id"] == "1733116493196" and line["event_id"] == "20251201123456"

"""`ORDERCORE_SMTP_URL` parsing and the template rules (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models.messages import MESSAGE_TYPES
from app.notifications.templates import DEFAULTS, render
from integrations.email import Email, build_message, parse_smtp_url


def test_smtp_url_forms() -> None:
    assert parse_smtp_url("") is None
    plain = parse_smtp_url("smtp://mail.example.com")
    assert plain is not None and (plain.host, plain.port, plain.starttls, plain.implicit_tls) == (
        "mail.example.com",
        25,
        None,
        False,
    )
    secure = parse_smtp_url("smtp://us%40er:p%2Fw@mail.example.com:587?starttls=true&timeout=5")
    assert secure is not None
    assert (secure.username, secure.password, secure.port, secure.starttls, secure.timeout) == (
        "us@er",
        "p/w",
        587,
        True,
        5.0,
    )
    assert "p/w" not in repr(secure)
    tls = parse_smtp_url("smtps://mail.example.com?verify=false")
    assert tls is not None and (tls.port, tls.implicit_tls, tls.starttls, tls.verify) == (
        465,
        True,
        False,
        False,
    )
    for bad in ("http://mail.example.com", "smtp://", "mail.example.com"):
        with pytest.raises(ValueError):
            parse_smtp_url(bad)


def test_every_message_type_has_a_default_template() -> None:
    assert set(MESSAGE_TYPES) <= set(DEFAULTS)
    for message_type in MESSAGE_TYPES:
        mail = render(message_type, {"OrderID": "o1", "FirstName": "Ann", "MarketplaceName": "Shop"})
        assert mail.subject and "${" not in mail.text + mail.subject and "Shop" in mail.text


def test_overrides_and_escaping(tmp_path: Path) -> None:
    (tmp_path / "OrderSubmitted.txt").write_text("Costs $5 for ${FirstName}${Unknown}")
    (tmp_path / "OrderSubmitted.subject").write_text("Line one\nBcc: evil@example.com")
    mail = render("OrderSubmitted", {"FirstName": "<b>"}, str(tmp_path))
    assert mail.text == "Costs $5 for <b>"  # a stray `$` stays; an unknown placeholder is empty
    assert "&lt;b&gt;" in mail.html and "<b>" not in mail.html.replace("<body", "")
    message = build_message(
        Email(sender="a@shop.example", to=["b@example.com"], cc=[], subject=mail.subject, text="t", html=None)
    )
    # The subject is one header line: no header can be smuggled in through a template or a name.
    assert message["Subject"] == "Line one Bcc: evil@example.com" and message["Bcc"] is None

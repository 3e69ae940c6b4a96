"""Message senders and forgotten credentials with the official SDK (js/messages.mjs): the
ForgottenPassword message reaches a node server that checks its `X-oc-hash` with
`@ordercloud/catalyst`, and its code and reset token set the password, which Auth.Login proves."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("messages", sdk_env)


def test_message_senders_through_the_sdk(result: dict[str, Any]) -> None:
    sender = result["senderID"]
    assert result["created"] == {
        "ID": sender,
        "URL": result["created"]["URL"],
        "MessageTypes": ["ForgottenPassword"],
    }
    assert result["assignments"] == [[sender, result["buyerID"]]]
    assert sender in result["listed"]
    assert result["noUrl"]["status"] == 400 and result["noUrl"]["errorCode"] == "MessageSenders.UrlRequired"


def test_forgotten_password_by_code_and_by_token(result: dict[str, Any]) -> None:
    assert result["rejected"] == 0
    # One message per code; none for the unknown user, none (yet) for the username reminder,
    # which goes out too but was not waited for.
    assert result["messages"] >= 2
    first = result["first"]
    assert first["keys"] == [
        "BuyerID",
        "UserToken",
        "Recipient",
        "MessageType",
        "CCList",
        "EventBody",
        "ConfigData",
    ]
    assert first["type"] == "ForgottenPassword" and first["buyer"] == result["buyerID"]
    assert first["recipient"] == result["username"] and first["config"] == {"Env": "e2e"}
    assert first["codeLength"] == 43 and first["tokenGiven"] is True
    assert result["reused"]["status"] == 400
    assert result["reused"]["errorCode"] == "PasswordReset.InvalidVerification"
    assert result["signedIn"] == [True, True]

"""Group orders' pure rules (domain/group_orders.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Forbidden, ValidationFailed
from domain.group_orders import (
    MAX_INVITATIONS_PER_ORDER,
    check_expiration,
    check_quantity,
    is_expired,
    refuse_outside_scope,
    require_own_line,
    token_lifetime,
)

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def test_expiration_must_be_still_to_come() -> None:
    check_expiration(NOW + timedelta(seconds=1), NOW)
    for moment in (NOW, NOW - timedelta(days=1)):
        with pytest.raises(ValidationFailed) as refused:
            check_expiration(moment, NOW)
        assert refused.value.code == "GroupOrderInvitation.InvalidExpiration"
    assert is_expired(NOW, NOW) and not is_expired(NOW + timedelta(microseconds=1), NOW)


def test_the_quantity_of_invitations_is_bounded() -> None:
    check_quantity(MAX_INVITATIONS_PER_ORDER - 1)
    with pytest.raises(ValidationFailed) as refused:
        check_quantity(MAX_INVITATIONS_PER_ORDER)
    assert refused.value.code == "GroupOrderInvitation.InvitationQuantityExceeded"


def test_a_token_lives_until_the_invitation_expires_and_no_longer_than_its_callers() -> None:
    assert token_lifetime(NOW + timedelta(hours=1), NOW, 36_000) == 3600
    assert token_lifetime(NOW + timedelta(days=2), NOW, 600) == 600
    assert token_lifetime(NOW + timedelta(milliseconds=10), NOW, 600) == 1


def test_a_contributor_changes_only_its_own_lines() -> None:
    require_own_line({"ID": "a", "InvitationID": "inv"}, "inv")
    for line in ({"ID": "b", "InvitationID": "other"}, {"ID": "c", "InvitationID": None}):
        with pytest.raises(Forbidden) as refused:
            require_own_line(line, "inv")
        assert refused.value.code == "GroupOrder.CannotModify"
    assert refuse_outside_scope("POST").code == "GroupOrder.CannotModify"
    assert refuse_outside_scope("GET").code == "Auth.InsufficientRoles"

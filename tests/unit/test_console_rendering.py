"""The console's pure pieces: the order timeline (the activity log, or the order's records for an
order older than the log)
and the server-rendered SVG charts (nothing the Content-Security-Policy would block)."""

from __future__ import annotations

from decimal import Decimal

from app.console import charts
from app.console.timeline import order_timeline


def test_timeline_merges_the_order_its_records_and_deliveries_newest_first() -> None:
    order = {
        "ID": "o1",
        "FromUserID": "alice",
        "FromCompanyID": "b1",
        "DateCreated": "2026-01-01T10:00:00.000+00:00",
        "DateSubmitted": "2026-01-01T11:00:00.000+00:00",
        "DateCompleted": None,
    }
    entries = order_timeline(
        order,
        approvals=[
            {"Status": "Approved", "DateCompleted": "2026-01-01T12:00:00.000+00:00", "Comments": "ok"}
        ],
        shipments=[{"ID": "s1", "DateShipped": "2026-01-02T09:00:00.000+00:00", "Shipper": "UPS"}],
        returns=[{"ID": "r1", "DateCreated": "2026-01-03T09:00:00.000+00:00"}],
        deliveries=[
            {
                "WebhookID": "w1",
                "Verb": "POST",
                "Route": "v1/orders/{direction}/{orderID}/forward",
                "Status": "Failed",
                "LastError": "HTTP 400",
                "DateCreated": "2026-01-01T13:00:00.000+00:00",
            }
        ],
    )
    assert [(e.kind, e.title) for e in entries] == [
        ("return", "Return r1 created"),
        ("shipment", "Shipment s1"),
        ("webhook", "Webhook POST v1/orders/{direction}/{orderID}/forward"),
        ("approval", "Approval approved"),
        ("order", "Order submitted"),
        ("order", "Order created"),
    ]
    failed = entries[2]
    assert failed.failed and "HTTP 400" in failed.detail
    assert entries[4].detail == "by alice for b1"


def test_timeline_shows_the_activity_log_when_the_order_has_one() -> None:
    order = {"ID": "o1", "DateCreated": "2026-01-01T10:00:00.000+00:00"}
    activities = [
        {"Type": "Created", "Date": "2026-01-01T10:00:00.000+00:00", "ActorUsername": "alice"},
        {"Type": "ReturnOpened", "Date": "2026-01-02T10:00:00.000+00:00", "ActorType": "System"},
        {"Type": "Note", "Date": "2026-01-03T10:00:00.000+00:00", "ActorUserID": "bob", "Text": "call back"},
    ]
    shipments = [{"ID": "s1", "DateShipped": "2026-01-02T09:00:00.000+00:00"}]
    entries = order_timeline(order, activities=activities, shipments=shipments)
    # The log is the record: the order's own records are not shown twice beside it.
    assert [(e.title, e.detail) for e in entries] == [
        ("Note", "by bob call back"),
        ("Return opened", "by System"),
        ("Created", "by alice"),
    ]


def test_charts_are_plain_svg_with_titles_and_escaped_labels() -> None:
    bars = [charts.Bar("<b>", Decimal("12.50")), charts.Bar("Open", 3)]
    for svg in (
        charts.column_chart("Revenue", bars),
        charts.bar_chart("By status", bars),
        charts.stacked_bars("Hooks", [("w<1>", [("delivered", 3), ("failed", 1)])]),
    ):
        text = str(svg)
        assert text.startswith("<svg") and 'role="img"' in text and "<title>" in text
        assert "style=" not in text and "<script" not in text
        assert "<b>" not in text and "w<1>" not in text
    assert "75%" in str(charts.stacked_bars("Hooks", [("w1", [("delivered", 3), ("failed", 1)])]))

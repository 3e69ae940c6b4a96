"""The checkout load generator (`python -m benchmarks.load_checkout`, docs/performance.md) works:
a few seconds with two users on a SQLite server it starts. The figures are not checked here (a
loaded CI machine says nothing about them); that the run places orders without errors and
prints every figure with its baseline is."""

from __future__ import annotations

import json

import pytest

from benchmarks import load_checkout


def test_the_load_generator_places_orders_and_prints_its_baselines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--users", "2", "--seconds", "2", "--products", "3", "--get-seconds", "0.5"]
    code = load_checkout.main([*argv, "--baseline-seconds", "0.5", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["orders"] > 0 and figures["errors"] == 0
    assert figures["orders_per_s"] > 0 and figures["submit_p99_ms"] >= figures["submit_p50_ms"] > 0
    assert figures["get_order_per_s"] > 0 and figures["bare_get_per_s"] > 0 and figures["raw_per_s"] > 0
    assert "orders/s" in out and "bare Litestar" in out and "sqlite3 order transaction" in out

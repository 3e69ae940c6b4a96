"""`ordercore import-channel FILE` on a real SQLite file (docs/channels.md): NDJSON of channel
orders imported one transaction each, a progress bar on stderr, one JSON result line per order,
exit code 1 when some order was refused, and a re-run updates instead of duplicating."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.test_channels import woo_order
from tests.integration.test_admin_cli import cli


def test_import_channel_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ordercore.db'}"
    assert cli("init", "--database-url", url).returncode == 0
    bad = woo_order(802)
    bad["status"] = "shipped-ish"
    orders = tmp_path / "orders.ndjson"
    orders.write_text("\n".join(json.dumps(o) for o in (woo_order(801), bad, woo_order(803))) + "\n")

    done = cli("import-channel", str(orders), "--channel", "WooCommerce", "--database-url", url)
    assert done.returncode == 1, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["Index"], r["Status"], r["ID"]) for r in results] == [
        (0, 201, "woocommerce-801"),
        (1, 400, None),
        (2, 201, "woocommerce-803"),
    ]
    assert results[1]["Errors"][0]["Data"]["Field"] == "status"
    assert "3/3" in done.stderr and "#" in done.stderr and "imported 2 of 3 orders" in done.stderr

    good = tmp_path / "good.json"
    good.write_text(json.dumps([woo_order(801)]))
    again = cli("import-channel", str(good), "--channel", "woocommerce", "--database-url", url)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["Status"] == 200  # updated, not duplicated

    missing = cli(
        "import-channel", str(tmp_path / "nope.json"), "--channel", "woocommerce", "--database-url", url
    )
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    unknown = cli("import-channel", str(good), "--channel", "etsy", "--database-url", url)
    assert unknown.returncode == 1 and "Unknown channel" in unknown.stderr

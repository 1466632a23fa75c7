"""No office is written into the product code: its names, domain and place come from its settings
(the demo office is data, `devtools/demo-office.env`; test offices live in tests/support).
Migrations are history and are not rewritten, so they are not searched."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "letters", "domains", "storage", "devtools")
OFFICE_WORDS = re.compile(r"balangan|paringin|diskominfo-blg|bupati \w+", re.IGNORECASE)
SOP_CITATION = "188.45/16/Diskominfo-Blg/2018"
"""The number of the SOP document the workflow table transcribes (a citation, not a setting)."""


def test_no_office_name_domain_or_place_in_the_product() -> None:
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".txt", ".json") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8").replace(SOP_CITATION, "")
            for number, line in enumerate(text.splitlines(), start=1):
                if OFFICE_WORDS.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)

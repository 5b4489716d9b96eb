"""The demo shows the seed memo as it should have been written: its meaning kept, its typing errors not."""

import json
from pathlib import Path

from workflow import demo

SEED_TYPING_ERRORS = ("ของของ", "อบรม.หนองโสน", "ธำสนักปลัด")


def test_the_demo_memo_and_its_report_carry_none_of_the_seeds_typing_errors():
    report = (Path(demo.__file__).parent / "demo_data" / "seed_report.json").read_text(encoding="utf-8")
    json.loads(report)  # still valid
    for text in (demo.SEED_SUBJECT, demo.SEED_BODY, report):
        for error in SEED_TYPING_ERRORS:
            assert error not in text, error
    assert "ในการดำเนินงานขององค์การบริหารส่วนตำบลหนองโสน" in demo.SEED_BODY  # the sentence itself is kept
    assert report.count("อบต.หนองโสน") >= 3

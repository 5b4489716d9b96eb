"""The seed memo (000_55a4298fb62d7a1c) as a draft by rujapa, with its report table as an enclosure.

Loaded by `manage.py load_demo`; loading it again changes nothing.
"""

import json
from pathlib import Path
from typing import Any

from memos.models import Memo
from org.models import Organisation, Person, Position
from workflow import services
from workflow.models import StepRole, TemplateSlot

SEED_SUBJECT = (
    "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน ประจำปีงบประมาณ พ.ศ.๒๕๖๖"
)
SEED_ADDRESSEE = "นายกองค์การบริหารส่วนตำบลหนองโสน"
SEED_BODY = "\n".join(
    [
        "ตามที่ได้ดำเนินการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานขององค์การบริหารส่วนตำบลหนองโสน "
        "ประจำปีงบประมาณ พ.ศ.๒๕๖๖ โดยได้มีการขับเคลื่อนมาตรการส่งเสริมคุณธรรมและความโปร่งใสในหน่วยงาน "
        "เพื่อเป็นการลดโอกาสหรือลดความเสี่ยงที่จะเกิดการทุจริตหรือประพฤติมิชอบของเจ้าหน้าที่ฯ "
        "ผลการเข้าร่วมประเมินคุณธรรมและความโปร่งใสในการดำเนินการของหน่วยงานภาครัฐฯ องค์การบริหารส่วนตำบลหนองโสน "
        "มีผลการประเมินอยู่ในระดับ “ผ่านดี” คะแนนการประเมินฯ ในปีนี้ถือได้ว่าเป็นส่วนหนึ่งที่จะกระตุ้นให้องค์กรมีการพัฒนาให้เกิดการ "
        "“เติบโต” ในด้านคุณธรรมและความโปร่งใสขององค์การบริหารส่วนตำบลหนองโสน ต่อไป",
        "งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน "
        "จึงขอรายงานผลการดำเนินการตามมาตรการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงานประจำปีงบประมาณ พ.ศ.๒๕๖๖ "
        "ดังรายละเอียดแนบท้ายนี้",
        "จึงเรียนมาเพื่อโปรดทราบ",
    ]
)
SEED_ENCLOSURE_TITLE = (
    "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน ประจำปีงบประมาณ ๒๕๖๖"
)
REPORT_TABLE = Path(__file__).with_name("demo_data") / "seed_report.json"


def seed_report_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REPORT_TABLE.read_text(encoding="utf-8"))
    return data


def load_route_template(org: Organisation) -> None:
    """The default route, the seed's chain: head of the writer's top-level unit → ปลัด → นายก."""
    if org.route_templates.filter(unit__isnull=True).exists():
        return
    palat = Position.objects.get(organisation=org, title="ปลัดองค์การบริหารส่วนตำบลหนองโสน")
    nayok = Position.objects.get(organisation=org, title="นายกองค์การบริหารส่วนตำบลหนองโสน")
    services.route_template_save(
        organisation=org,
        name="เส้นทางปกติ: หัวหน้าส่วนราชการ → ปลัด → นายก",
        steps=[
            (StepRole.COSIGN, TemplateSlot.WRITER_UNIT_HEAD, None),
            (StepRole.OPINION, TemplateSlot.POSITION, palat),
            (StepRole.DECISION, TemplateSlot.POSITION, nayok),
        ],
    )


def load_seed_memo(org: Organisation) -> Memo:
    writer = Person.objects.get(username="rujapa")
    memo = Memo.objects.filter(organisation=org, writer=writer, subject=SEED_SUBJECT).first()
    if memo is not None:
        return memo
    memo = services.memo_create(writer=writer, subject=SEED_SUBJECT, body=SEED_BODY, addressee=SEED_ADDRESSEE)
    services.enclosure_add_table(
        memo=memo, actor=writer, title=SEED_ENCLOSURE_TITLE, table=seed_report_table()
    )
    return memo

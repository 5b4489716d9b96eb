"""The generated organisations: local administrations (อบต. and เทศบาล) of very different sizes, each with its
executive (นายก), permanent secretary (ปลัด), sometimes a deputy, the usual divisions with their heads and
staff, an acting head where a head's post is vacant, the default route and opinion phrases.

Written with the ORM in a few bulk inserts (a few thousand rows); the memos come after (workflow.load.memos).
Usernames say where a person sits: ``lao001.palad``, ``lao001.office.head``, ``lao001.finance.3``."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from core.thai import thai_digits
from memos import services as memo_services
from org.demo import AUDITOR_GROUP
from org.models import ActingAppointment, ActingCapacity, Organisation, Person, Position, Unit
from workflow.load import text
from workflow.models import OpinionPhrase, RouteTemplate, RouteTemplateStep, StepRole, TemplateSlot

PLACE_NAMES = (
    "หนองโสน",
    "บ้านหม้อ",
    "ท่าราบ",
    "ต้นมะม่วง",
    "ช่องสะแก",
    "หาดเจ้าสำราญ",
    "โพพระ",
    "นาวุ้ง",
    "บางจาก",
    "ดอนยาง",
    "สำมะโรง",
    "หนองขนาน",
    "บ้านกุ่ม",
    "ไร่ส้ม",
    "วังตะโก",
    "ธงชัย",
    "คลองกระแชง",
    "ต้นมะพร้าว",
    "บ้านลาด",
    "ท่าแร้ง",
)
KINDS = (
    ("องค์การบริหารส่วนตำบล", "อบต.", "นายกองค์การบริหารส่วนตำบล", "ปลัดองค์การบริหารส่วนตำบล"),
    ("เทศบาลตำบล", "ทต.", "นายกเทศมนตรีตำบล", "ปลัดเทศบาลตำบล"),
    ("เทศบาลเมือง", "ทม.", "นายกเทศมนตรีเมือง", "ปลัดเทศบาลเมือง"),
)
# (slug, name, parent slug, share of the memos written there)
UNITS = (
    ("office", "สำนักปลัด", None, 0.16),
    ("admin", "งานธุรการ", "office", 0.12),
    ("pr", "งานประชาสัมพันธ์", "office", 0.06),
    ("plan", "งานนโยบายและแผน", "office", 0.06),
    ("finance", "กองคลัง", None, 0.2),
    ("works", "กองช่าง", None, 0.15),
    ("education", "กองการศึกษา ศาสนาและวัฒนธรรม", None, 0.1),
    ("health", "กองสาธารณสุขและสิ่งแวดล้อม", None, 0.08),
    ("welfare", "กองสวัสดิการสังคม", None, 0.05),
    ("audit", "หน่วยตรวจสอบภายใน", None, 0.02),
)
HEAD_TITLES = {
    "office": "หัวหน้าสำนักปลัด",
    "finance": "ผู้อำนวยการกองคลัง",
    "works": "ผู้อำนวยการกองช่าง",
    "education": "ผู้อำนวยการกองการศึกษา ศาสนาและวัฒนธรรม",
    "health": "ผู้อำนวยการกองสาธารณสุขและสิ่งแวดล้อม",
    "welfare": "ผู้อำนวยการกองสวัสดิการสังคม",
    "audit": "หัวหน้าหน่วยตรวจสอบภายใน",
}
STAFF_TITLES = (
    "นักจัดการงานทั่วไป",
    "นักวิชาการเงินและบัญชี",
    "นายช่างโยธา",
    "นักวิชาการศึกษา",
    "นักวิชาการสาธารณสุข",
    "นักพัฒนาชุมชน",
    "เจ้าพนักงานธุรการ",
    "นักวิเคราะห์นโยบายและแผน",
    "นักประชาสัมพันธ์",
    "นักวิชาการตรวจสอบภายใน",
)
PHRASES = {
    StepRole.COSIGN: ("เห็นชอบ", "ตรวจสอบแล้ว"),
    StepRole.OPINION: ("เห็นควรพิจารณา", "เห็นควรอนุมัติ"),
    StepRole.DECISION: ("ทราบ", "อนุมัติ", "ไม่อนุมัติ"),
}


@dataclass
class Seat:
    """A position and who signs for it (holder, or the acting person with the capacity)."""

    id: uuid.UUID
    title: str
    signer_id: int
    capacity: str = ""


@dataclass
class UnitInfo:
    id: uuid.UUID
    slug: str
    name: str
    full_name: str
    phone: str
    top: "UnitInfo | None" = None
    head: Seat | None = None


@dataclass
class Writer:
    person_id: int
    username: str
    name: str
    seat: Seat
    unit: UnitInfo
    department: str
    is_head: bool = False


@dataclass
class Org:
    index: int
    id: uuid.UUID
    name: str
    document_code: str
    nayok: Seat
    palad: Seat
    deputy: Seat | None
    units: list[UnitInfo]
    writers: list[Writer]
    writer_weights: list[float]
    weight: float
    # Mean days each seat takes to act: a slow head is how hundreds of tasks pile up.
    slowness: dict[uuid.UUID, float] = field(default_factory=dict)


@dataclass
class Chart:
    organisations: list[Org]
    auditor: str
    people: int
    head_with_many: str
    executive: str
    officer: str
    acting: list[str]
    usernames: dict[int, str]


def usernames_taken() -> bool:
    return Person.objects.filter(username__startswith="lao001.").exists()


def build(*, organisations: int, rng: random.Random, password: str, start: date, now: datetime) -> Chart:
    """Create the organisations, their units, positions, people, acting appointments, default route and
    phrases. `start` is the first day of the generated period (appointments run from before it)."""
    password_hash = make_password(password)
    weights = [1 / (i + 1) ** 0.9 for i in range(organisations)]
    total = sum(weights)
    people: list[Person] = []
    positions: list[Position] = []
    units: list[Unit] = []
    appointments: list[ActingAppointment] = []

    def person(username: str, title: str = "") -> Person:
        first = rng.choice(text.FIRST_NAMES)
        last = rng.choice(text.LAST_NAMES)
        row = Person(
            username=username,
            password=password_hash,
            title=title or rng.choice(("นาย", "นาง", "นางสาว")),
            first_name_th=first,
            last_name_th=last,
            is_active=True,
            date_joined=now,
        )
        people.append(row)
        return row

    auditor = person("lao.auditor", "นาง")
    plans: list[dict[str, Any]] = []
    for index in range(organisations):
        number = index + 1
        kind = KINDS[0 if index % 3 else (1 if index % 2 else 2)] if index else KINDS[2]
        place = PLACE_NAMES[index % len(PLACE_NAMES)]
        if index >= len(PLACE_NAMES):
            place = f"{place} {thai_digits(index // len(PLACE_NAMES) + 1)}"
        org = Organisation(
            id=uuid.UUID(int=rng.getrandbits(128)),
            name=f"{kind[0]}{place}",
            short_name=f"{kind[1]}{place}",
            document_code=f"พบ {thai_digits(52000 + number)}",
            address=f"{kind[0]}{place} อำเภอเมืองเพชรบุรี จังหวัดเพชรบุรี",
            phone=f"๐-๓๒{thai_digits(rng.randrange(10, 99))}-{thai_digits(rng.randrange(1000, 9999))}",
        )
        prefix = f"lao{number:03d}"
        scale = weights[index] / weights[0]
        nayok = _position(rng, positions, org, None, f"{kind[2]}{place}", person(f"{prefix}.nayok"), 0)
        palad = _position(rng, positions, org, None, f"{kind[3]}{place}", person(f"{prefix}.palad"), 1, nayok)
        deputy = None
        if index % 2 == 0:
            deputy = _position(
                rng, positions, org, None, f"รอง{kind[3]}{place}", person(f"{prefix}.deputy"), 2, palad
            )
        made: dict[str, tuple[Unit, Position | None, list[tuple[Person, Position]]]] = {}
        for order, (slug, name, parent, _share) in enumerate(UNITS):
            parent_unit = made[parent][0] if parent else None
            unit = Unit(
                id=uuid.UUID(int=rng.getrandbits(128)),
                organisation=org,
                parent=parent_unit,
                name=name,
                phone=org.phone,
                sort_order=order,
            )
            units.append(unit)
            head = None
            acting_by = None
            if slug in HEAD_TITLES:
                vacant = slug == "finance" and index % 3 == 0
                holder = None if vacant else person(f"{prefix}.{slug}.head")
                head = _position(
                    rng, positions, org, unit, HEAD_TITLES[slug], holder, 10 + order, palad, is_head=True
                )
                acting_by = head if vacant else None
            staff: list[tuple[Person, Position]] = []
            for k in range(max(2, round((6 if parent is None else 3) * scale**0.5 * 3))):
                title = STAFF_TITLES[(order + k) % len(STAFF_TITLES)]
                who = person(f"{prefix}.{slug}.{k + 1}")
                reports = head or (made[parent][1] if parent else palad)
                staff.append(
                    (who, _position(rng, positions, org, unit, title, who, 100 + order * 50 + k, reports))
                )
            if acting_by is not None:
                appointments.append(
                    ActingAppointment(
                        position=acting_by,
                        person=staff[0][0],
                        capacity=ActingCapacity.CARETAKER,
                        valid_from=start.replace(day=1),
                        order_reference=f"คำสั่ง {thai_digits(rng.randrange(1, 300))}/{thai_digits(start.year + 543)}",
                    )
                )
            made[slug] = (unit, head, staff)
        plans.append(
            {
                "org": org,
                "index": index,
                "nayok": nayok,
                "palad": palad,
                "deputy": deputy,
                "made": made,
                "weight": weights[index] / total,
            }
        )

    # Foreign keys are checked at commit (deferred) on both engines, so the order within a table is free.
    Person.objects.bulk_create(people, batch_size=2000)
    Organisation.objects.bulk_create([p["org"] for p in plans])
    Unit.objects.bulk_create(units, batch_size=2000)
    for position in positions:  # the people's ids, known now
        position.holder_id = position.holder.pk if position.holder is not None else None
    Position.objects.bulk_create(positions, batch_size=2000)
    for appointment in appointments:
        appointment.person_id = appointment.person.pk
    ActingAppointment.objects.bulk_create(appointments)
    _routes_and_phrases(plans)
    auditors, _created = Group.objects.get_or_create(name=AUDITOR_GROUP)
    auditors.permissions.add(Permission.objects.get(codename="audit_memos", content_type__app_label="org"))
    auditor.groups.add(auditors)

    acting = {a.position.pk: a for a in appointments}
    result = [_org_info(plan, acting, rng) for plan in plans]
    return Chart(
        organisations=result,
        auditor=auditor.username,
        people=len(people),
        head_with_many=f"{_prefix(0)}.office.head",
        executive=f"{_prefix(0)}.nayok",
        officer=f"{_prefix(0)}.pr.1",
        acting=[a.person.username for a in appointments],
        usernames={p.pk: p.username for p in people},
    )


def _prefix(index: int) -> str:
    return f"lao{index + 1:03d}"


def _position(
    rng: random.Random,
    positions: list[Position],
    org: Organisation,
    unit: Unit | None,
    title: str,
    holder: Person | None,
    order: int,
    reports_to: Position | None = None,
    *,
    is_head: bool = False,
) -> Position:
    position = Position(
        id=uuid.UUID(int=rng.getrandbits(128)),
        organisation=org,
        unit=unit,
        title=title,
        holder=holder,
        reports_to=reports_to,
        is_head_of_unit=is_head,
        sort_order=order,
    )
    positions.append(position)
    return position


def _routes_and_phrases(plans: list[dict[str, Any]]) -> None:
    templates = [
        RouteTemplate(
            id=uuid.UUID(int=p["org"].pk.int ^ 1), organisation=p["org"], unit=None, name="เส้นทางเสนอปกติ"
        )
        for p in plans
    ]
    RouteTemplate.objects.bulk_create(templates)
    steps = []
    phrases = []
    for template, plan in zip(templates, plans, strict=True):
        steps += [
            RouteTemplateStep(
                template=template, order=1, role=StepRole.COSIGN, slot=TemplateSlot.WRITER_UNIT_HEAD
            ),
            RouteTemplateStep(template=template, order=2, role=StepRole.OPINION, position=plan["palad"]),
            RouteTemplateStep(template=template, order=3, role=StepRole.DECISION, position=plan["nayok"]),
        ]
        for role, texts in PHRASES.items():
            phrases += [
                OpinionPhrase(organisation=plan["org"], role=role, text=t, sort_order=i)
                for i, t in enumerate(texts)
            ]
    RouteTemplateStep.objects.bulk_create(steps)
    OpinionPhrase.objects.bulk_create(phrases)


def _seat(position: Position, acting: dict[Any, ActingAppointment]) -> Seat:
    appointment = acting.get(position.pk)
    if appointment is not None:
        return Seat(position.pk, position.title, appointment.person.pk, appointment.capacity)
    assert position.holder is not None
    return Seat(position.pk, position.title, position.holder.pk)


def _org_info(plan: dict[str, Any], acting: dict[Any, ActingAppointment], rng: random.Random) -> Org:
    org: Organisation = plan["org"]
    infos: dict[str, UnitInfo] = {}
    writers: list[Writer] = []
    weights: list[float] = []
    for slug, _name, parent, share in UNITS:
        unit, head, staff = plan["made"][slug]
        top = infos[parent] if parent else None
        info = UnitInfo(
            id=unit.pk,
            slug=slug,
            name=unit.name,
            full_name=unit.full_name,
            phone=unit.phone,
            top=top,
            head=_seat(head, acting) if head is not None else (top.head if top else None),
        )
        infos[slug] = info
        department = memo_services.default_department(memo_unit=unit, organisation=org)
        for who, position in staff:
            writers.append(
                Writer(who.pk, who.username, who.full_name, _seat(position, acting), info, department)
            )
            weights.append(share / len(staff))
        if head is not None and head.holder is not None:  # heads write too, now and then
            writers.append(
                Writer(
                    head.holder.pk,
                    head.holder.username,
                    head.holder.full_name,
                    _seat(head, acting),
                    info,
                    department,
                    is_head=True,
                )
            )
            weights.append(share * 0.05)
    nayok, palad, deputy = (_seat(plan[k], acting) if plan[k] else None for k in ("nayok", "palad", "deputy"))
    assert nayok is not None
    assert palad is not None
    slowness = {palad.id: 1.0, nayok.id: 1.5}
    if deputy is not None:
        slowness[deputy.id] = 1.0
    for info in infos.values():
        if info.head is not None and info.top is None:
            slowness[info.head.id] = 1.5 + rng.random()
    if plan["index"] == 0:  # the busy head of the biggest organisation
        office_head = infos["office"].head
        assert office_head is not None
        slowness[office_head.id] = 9.0
    return Org(
        index=plan["index"],
        id=org.pk,
        name=org.name,
        document_code=org.document_code,
        nayok=nayok,
        palad=palad,
        deputy=deputy,
        units=list(infos.values()),
        writers=writers,
        writer_weights=weights,
        weight=plan["weight"],
        slowness=slowness,
    )

"""The seed's organisation (อบต.หนองโสน) as demo data; loading it twice changes nothing."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group, Permission

from org import services
from org.models import ActingAppointment, ActingCapacity, Organisation, Person, Position, Unit

DEMO_PASSWORD = "memoflow-demo"  # noqa: S105 - documented demo password, demo data only
AUDITOR_GROUP = "ผู้ตรวจสอบ (auditor)"
CLERK_GROUP = "ผู้ทำหน้าที่สารบรรณ (records clerk)"

ORGANISATION = {
    "name": "องค์การบริหารส่วนตำบลหนองโสน",
    "short_name": "อบต.หนองโสน",
    "document_code": "พบ ๓๒๘๐๑",
    "address": "องค์การบริหารส่วนตำบลหนองโสน อำเภอเมืองเพชรบุรี จังหวัดเพชรบุรี",
    "phone": "๐-๓๒๔๐-๐๐๕๒",
}

# (name, parent name, phone)
UNITS = [
    ("สำนักปลัด", None, "๐-๓๒๔๐-๐๐๕๒"),
    ("งานประชาสัมพันธ์", "สำนักปลัด", "๐-๓๒๔๐-๐๐๕๒"),
    ("งานธุรการ", "สำนักปลัด", "๐-๓๒๔๐-๐๐๕๒"),
    ("กองคลัง", None, "๐-๓๒๔๐-๐๐๕๒"),
    ("กองช่าง", None, "๐-๓๒๔๐-๐๐๕๒"),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    title: str
    first: str
    last: str
    role: str  # shown when `make demo` prints the accounts


PEOPLE = [
    DemoPerson("yutthana", "นาย", "ยุทธนา", "เมืองเล็ก", "นายกองค์การบริหารส่วนตำบลหนองโสน"),
    DemoPerson("nat", "นาย", "นาฏ", "วงศ์ทองดี", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
    DemoPerson("ratchawari", "นาง", "ราชวรี", "อนุกุล", "นักทรัพยากรบุคคล, รักษาการแทนหัวหน้าสำนักปลัด"),
    DemoPerson("rujapa", "นางสาว", "รุจภา", "โฉมประดิษฐ์", "ผู้ช่วยนักประชาสัมพันธ์ งานประชาสัมพันธ์"),
    DemoPerson("finance_head", "นางสาว", "กัลยา", "ศรีสวัสดิ์", "ผู้อำนวยการกองคลัง"),
    DemoPerson("finance_staff", "นาย", "ธนพล", "ใจดี", "เจ้าพนักงานการเงินและบัญชี กองคลัง"),
    DemoPerson("works_head", "นาย", "สมศักดิ์", "ทองมา", "ผู้อำนวยการกองช่าง"),
    DemoPerson("works_staff", "นาย", "วีระพงษ์", "แก้วประเสริฐ", "นายช่างโยธา กองช่าง"),
    DemoPerson("saraban", "นางสาว", "พรทิพย์", "มีสุข", "เจ้าพนักงานธุรการ สำนักปลัด (ผู้ทำหน้าที่สารบรรณ: the register)"),
    DemoPerson("auditor", "นาง", "สุภาพร", "บุญมี", "ผู้ตรวจสอบ (auditor, read-only)"),
    DemoPerson("admin", "", "ผู้ดูแลระบบ", "", "ผู้ดูแลระบบ (administrator)"),
]

# (title, unit name or None, head of unit, holder username or None, reports to title or None)
POSITIONS = [
    ("นายกองค์การบริหารส่วนตำบลหนองโสน", None, False, "yutthana", None),
    ("ปลัดองค์การบริหารส่วนตำบลหนองโสน", None, False, "nat", "นายกองค์การบริหารส่วนตำบลหนองโสน"),
    ("หัวหน้าสำนักปลัด", "สำนักปลัด", True, None, "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
    ("นักทรัพยากรบุคคล", "สำนักปลัด", False, "ratchawari", "หัวหน้าสำนักปลัด"),
    ("ผู้ช่วยนักประชาสัมพันธ์", "งานประชาสัมพันธ์", False, "rujapa", "หัวหน้าสำนักปลัด"),
    ("ผู้อำนวยการกองคลัง", "กองคลัง", True, "finance_head", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
    ("เจ้าพนักงานการเงินและบัญชี", "กองคลัง", False, "finance_staff", "ผู้อำนวยการกองคลัง"),
    ("ผู้อำนวยการกองช่าง", "กองช่าง", True, "works_head", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
    ("นายช่างโยธา", "กองช่าง", False, "works_staff", "ผู้อำนวยการกองช่าง"),
    ("นักวิชาการตรวจสอบภายใน", None, False, "auditor", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
    ("เจ้าพนักงานธุรการ", "สำนักปลัด", False, "saraban", "หัวหน้าสำนักปลัด"),
]

# The head of สำนักปลัด is vacant; the นักทรัพยากรบุคคล signs "รักษาการแทนหัวหน้าสำนักปลัด" (as in the seed).
ACTING = [
    ("หัวหน้าสำนักปลัด", "ratchawari", ActingCapacity.CARETAKER, date(2023, 10, 1), "คำสั่ง ๒๑๐/๒๕๖๖ (ตัวอย่าง)"),
]


def load_organisation() -> Organisation:
    org = Organisation.objects.filter(name=ORGANISATION["name"]).first()
    if org is None:
        org = Organisation(**ORGANISATION)
        services.org_object_save(obj=org)
    assert isinstance(org, Organisation)

    units: dict[str, Unit] = {u.name: u for u in Unit.objects.filter(organisation=org)}
    for order, (name, parent_name, phone) in enumerate(UNITS):
        if name not in units:
            unit = Unit(
                organisation=org,
                name=name,
                parent=units[parent_name] if parent_name else None,
                phone=phone,
                sort_order=order,
            )
            services.org_object_save(obj=unit)
            units[name] = unit

    people = {p.username: p for p in Person.objects.filter(username__in=[d.username for d in PEOPLE])}
    for d in PEOPLE:
        if d.username not in people:
            people[d.username] = services.person_create(
                username=d.username,
                password=DEMO_PASSWORD,
                title=d.title,
                first_name_th=d.first,
                last_name_th=d.last,
                email=f"{d.username}@nongson.example",
                is_superuser=d.username == "admin",
            )

    auditors, _created = Group.objects.get_or_create(name=AUDITOR_GROUP)
    auditors.permissions.add(Permission.objects.get(codename="audit_memos", content_type__app_label="org"))
    people["auditor"].groups.add(auditors)
    # The records clerk keeps the register of สำนักปลัด and its sub-units (workflow.register).
    clerks, _created = Group.objects.get_or_create(name=CLERK_GROUP)
    clerks.permissions.add(Permission.objects.get(codename="keep_register", content_type__app_label="org"))
    people["saraban"].groups.add(clerks)

    positions: dict[str, Position] = {p.title: p for p in Position.objects.filter(organisation=org)}
    for order, (title, unit_name, head, holder, reports_to) in enumerate(POSITIONS):
        if title not in positions:
            position = Position(
                organisation=org,
                unit=units[unit_name] if unit_name else None,
                title=title,
                is_head_of_unit=head,
                holder=people[holder] if holder else None,
                reports_to=positions[reports_to] if reports_to else None,
                sort_order=order,
            )
            services.org_object_save(obj=position)
            positions[title] = position

    for title, username, capacity, valid_from, order_reference in ACTING:
        position = positions[title]
        person = people[username]
        if not ActingAppointment.objects.filter(position=position, person=person).exists():
            services.acting_appointment_create(
                position=position,
                person=person,
                capacity=capacity,
                valid_from=valid_from,
                order_reference=order_reference,
            )
    return org

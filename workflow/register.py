"""The organisation's register of memos sent (ทะเบียนหนังสือส่ง): who may see it, and its rows.

Who may see which part (decided per request, from the organisation chart of today; `register_scope`):

- administrators and auditors (`org.audit_memos`): every organisation, every unit;
- executives: the holders of, and the people acting today for, the organisation's executive positions —
  positions outside any unit (Position.unit empty, "นายก, ปลัด") that report to nobody or to a position that
  reports to nobody: their whole organisation;
- heads: the holder of, or the person acting today for, a position that heads a unit (is_head_of_unit): that
  unit and every unit inside it;
- records clerks (ผู้ทำหน้าที่สารบรรณ): a person granted `org.keep_register` (directly or through a group),
  for the units of the positions they hold and the units inside them. Only for the register: the dashboards
  are for heads and executives (`purpose="dashboard"`).

Everyone else is refused (403, workflow.views_register). A memo is in the register once submitted and
numbered (drafts never are), whatever its status since. Rows are read in one query plus one for the steps
in hand (the current holder), whatever the page's length; pages are cut with LIMIT size + 1, never COUNT(*).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import thai
from core.errors import Forbidden
from memos.models import FINAL_STATUSES, URGENCY_STAMP, Memo, MemoStatus, Urgency
from memos.secrecy import secrecy_stamp
from org.models import ActingAppointment, Organisation, Position, Unit
from workflow.models import Decision, RouteStep, StepRole, StepState
from workflow.selectors import is_administrator, is_auditor, signing_line

KEEP_REGISTER: Final = "org.keep_register"
PAGE_SIZE: Final = 50

#: The outcome of a memo as the register shows it (the decision step's Decision; a rejected memo is
#: ไม่อนุมัติ whichever step ended it; "" while no decision is made, or when the memo was withdrawn).
OUTCOME_PENDING: Final = "pending"
OUTCOME_TH: Final = {
    Decision.APPROVED: "อนุมัติ",
    Decision.NOT_APPROVED: "ไม่อนุมัติ",
    Decision.ACKNOWLEDGED: "ทราบ",
    Decision.OTHER: "อื่น ๆ",
}
OUTCOME_CHOICES: Final = [
    (Decision.APPROVED.value, Decision.APPROVED.label),
    (Decision.NOT_APPROVED.value, Decision.NOT_APPROVED.label),
    (Decision.ACKNOWLEDGED.value, Decision.ACKNOWLEDGED.label),
    (Decision.OTHER.value, Decision.OTHER.label),
    (OUTCOME_PENDING, _("No decision yet")),
]
SORTS: Final = {
    "-date": ("-date", "-register_year", "-sequence", "-id"),
    "date": ("date", "register_year", "sequence", "id"),
    # By year, then running number: the order of one register (memo_register_number_idx). Units that number
    # from a code of their own (Unit.document_code) interleave with the organisation's by running number.
    "-number": ("-register_year", "-sequence", "-id"),
    "number": ("register_year", "sequence", "id"),
}


# Who may see what ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one person may see of the registers: `everything` (administrators, auditors), whole
    `organisations` (executives), `units` (heads and clerks: the unit ids, sub-units included). `why` names
    the grants, for the page ("executive", "head", "clerk", "auditor", "administrator")."""

    everything: bool = False
    organisations: frozenset[Any] = frozenset()
    units: frozenset[Any] = frozenset()
    why: tuple[str, ...] = ()
    #: the organisation of every unit in `units`
    unit_organisation: dict[Any, Any] = field(default_factory=dict)
    #: the organisation of the person's first position (the one shown first), if they hold one
    home: Any = None

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.organisations or self.units)

    def whole(self, organisation_id: Any) -> bool:
        return self.everything or organisation_id in self.organisations

    def covers(self, *, organisation_id: Any, unit_id: Any | None) -> bool:
        """Whether the register of `unit_id` (None: the whole organisation) may be seen."""
        if self.whole(organisation_id):
            return True
        return unit_id is not None and unit_id in self.units

    def organisation_ids(self) -> set[Any]:
        return set(self.organisations) | set(self.unit_organisation.values())


def _is_executive(position: Position) -> bool:
    if position.unit_id is not None:
        return False
    return position.reports_to_id is None or (
        position.reports_to is not None and position.reports_to.reports_to_id is None
    )


def _with_sub_units(roots: Iterable[Any], units: list[Unit]) -> set[Any]:
    children: dict[Any, list[Any]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.pk)
    found: set[Any] = set()
    todo = list(roots)
    while todo:
        unit_id = todo.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        todo.extend(children.get(unit_id, []))
    return found


def register_scope(*, user: Any, purpose: str = "register", at: datetime | None = None) -> Scope:
    """What `user` may see of the registers (purpose "register") or the dashboards ("dashboard": clerks
    excluded). At most three queries (permissions are cached on the user by Django)."""
    if not user.is_authenticated:
        return Scope()
    day = thai.bangkok_date(at or timezone.now())
    acting_for = ActingAppointment.objects.valid_on(day).filter(person=user).values("position_id")
    positions = list(
        Position.objects.filter(Q(holder=user) | Q(pk__in=acting_for))
        .select_related("reports_to")
        .order_by("sort_order", "title")
    )
    held = [p for p in positions if p.holder_id == user.pk]
    home = held[0].organisation_id if held else (positions[0].organisation_id if positions else None)
    if is_administrator(user):
        return Scope(everything=True, why=("administrator",), home=home)
    if is_auditor(user):
        return Scope(everything=True, why=("auditor",), home=home)
    organisations: set[Any] = set()
    roots: set[Any] = set()
    why: list[str] = []
    for position in positions:
        if _is_executive(position):
            organisations.add(position.organisation_id)
            why.append("executive")
        elif position.is_head_of_unit and position.unit_id is not None:
            roots.add(position.unit_id)
            why.append("head")
    if purpose == "register" and user.has_perm(KEEP_REGISTER):
        clerk_units = {p.unit_id for p in held if p.unit_id is not None}
        roots |= clerk_units
        if clerk_units:
            why.append("clerk")
    if not roots:
        return Scope(organisations=frozenset(organisations), why=tuple(dict.fromkeys(why)), home=home)
    their_organisations = Unit.objects.filter(pk__in=roots).values("organisation_id")
    units = list(
        Unit.objects.filter(organisation_id__in=their_organisations).only(
            "pk", "parent_id", "organisation_id"
        )
    )
    unit_ids = _with_sub_units(roots, units)
    owner = {u.pk: u.organisation_id for u in units if u.pk in unit_ids}
    return Scope(
        organisations=frozenset(organisations),
        units=frozenset(unit_ids),
        why=tuple(dict.fromkeys(why)),
        unit_organisation=owner,
        home=home,
    )


def may_see_register(*, user: Any) -> bool:
    return not register_scope(user=user).is_empty


def header_annotations() -> dict[str, Any]:
    """For the header's one query of the person (workflow.selectors.header_for): whether they may see a
    register and a dashboard, by the same rules as `register_scope`; and whether they may search the audit log."""
    day = thai.bangkok_date(timezone.now())
    user_ref = OuterRef("pk")
    acting_for = (
        ActingAppointment.objects.valid_on(day).filter(person=OuterRef(OuterRef("pk"))).values("position_id")
    )
    mine = Q(holder=user_ref) | Q(pk__in=acting_for)
    executive = Q(unit__isnull=True) & (Q(reports_to__isnull=True) | Q(reports_to__reports_to__isnull=True))
    head = Q(is_head_of_unit=True, unit__isnull=False)
    leads = Exists(Position.objects.filter(mine).filter(executive | head))
    from django.contrib.auth.models import Permission

    def granted(app_label: str, codename: str) -> Exists:
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        return Exists(perm.filter(Q(user=user_ref) | Q(group__user=user_ref)))

    sees_all = Q(is_superuser=True) | granted("memos", "manage_memos") | granted("org", "audit_memos")
    clerk = granted("org", "keep_register") & Exists(
        Position.objects.filter(holder=user_ref, unit__isnull=False)
    )
    return {
        "may_see_register": Case(When(sees_all | leads | clerk, then=Value(True)), default=Value(False)),
        "may_see_dashboard": Case(When(sees_all | leads, then=Value(True)), default=Value(False)),
        # the audit search (workflow.audit_search.may_search_audit): auditors and administrators
        "may_search_audit": Case(When(sees_all, then=Value(True)), default=Value(False)),
    }


def organisations_for(scope: Scope) -> QuerySet[Organisation]:
    qs = Organisation.objects.order_by("name")
    return qs if scope.everything else qs.filter(pk__in=scope.organisation_ids())


def units_for(scope: Scope, *, organisation: Organisation) -> list[Unit]:
    """The units of `organisation` the person may choose, parents before their children."""
    units = list(Unit.objects.filter(organisation=organisation).order_by("sort_order", "name"))
    if not scope.whole(organisation.pk):
        units = [u for u in units if u.pk in scope.units]
    by_parent: dict[Any, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        by_parent.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent: Any, depth: int) -> None:
        for unit in by_parent.get(parent, []):
            unit.depth = depth  # type: ignore[attr-defined]
            ordered.append(unit)
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def sub_unit_ids(unit: Unit) -> set[Any]:
    """`unit` and every unit inside it (one query)."""
    return _with_sub_units([unit.pk], list(Unit.objects.filter(organisation_id=unit.organisation_id)))


def check_scope(scope: Scope, *, organisation: Organisation, unit: Unit | None) -> None:
    """Refuses (Forbidden) a register the person may not see: a unit outside their units, or an organisation
    of which they see no unit. Someone who sees some units of it gets those (register_memos keeps to them)."""
    if scope.covers(organisation_id=organisation.pk, unit_id=unit.pk if unit else None):
        return
    if unit is None and any(o == organisation.pk for o in scope.unit_organisation.values()):
        return  # their own units of this organisation: the query below keeps to them
    raise Forbidden(
        _(
            "You may not see this register. The register of memos sent is open to the records clerks of a "
            "unit, its head, the executives, the auditors and the administrators."
        )
    )


# The rows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    unit: Unit | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    urgency: str = ""
    outcome: str = ""
    sort: str = "-date"


def outcome_expression() -> Case:
    """The memo's outcome as one value of its row: the signed decision step's Decision; a rejected memo's
    "not_approved"; "" otherwise."""
    decision = (
        RouteStep.objects.filter(memo=OuterRef("pk"), role=StepRole.DECISION, state=StepState.SIGNED)
        .order_by("-round")
        .values("decision")[:1]
    )
    return Case(
        When(status=MemoStatus.REJECTED, then=Value(Decision.NOT_APPROVED.value)),
        default=Coalesce(Subquery(decision), Value("")),
        output_field=CharField(),
    )


def register_memos(*, scope: Scope, organisation: Organisation, filters: RegisterFilters) -> QuerySet[Memo]:
    """The register's memos for `organisation` (and `filters.unit` with its sub-units), as the person may
    see them, sorted. Raises Forbidden for a unit (or organisation) outside their scope."""
    check_scope(scope, organisation=organisation, unit=filters.unit)
    qs = Memo.objects.filter(organisation=organisation, sequence__isnull=False).exclude(
        status=MemoStatus.DRAFT
    )
    if filters.unit is not None:
        qs = qs.filter(unit_id__in=sub_unit_ids(filters.unit))
    if not scope.whole(organisation.pk):
        qs = qs.filter(unit_id__in=[u for u, o in scope.unit_organisation.items() if o == organisation.pk])
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    last_step = RouteStep.objects.filter(memo=OuterRef("pk")).order_by("-round", "-order")
    qs = qs.annotate(
        outcome=outcome_expression(),
        route_end=Subquery(last_step.values("position__title")[:1]),
    )
    if filters.outcome:
        qs = qs.filter(outcome_condition(filters.outcome))
    in_hand = RouteStep.objects.filter(state=StepState.ACTIVE).select_related("position", "assignee")
    return (
        qs.select_related("writer", "writer_position", "unit")
        .prefetch_related(Prefetch("steps", queryset=in_hand, to_attr="steps_in_hand"))
        .order_by(*SORTS.get(filters.sort, SORTS["-date"]))
    )


def outcome_condition(outcome: str) -> Q:
    """The memos whose outcome is `outcome` (or OUTCOME_PENDING: none yet), as EXISTS conditions that the
    database checks memo by memo along the register's index, not by computing every memo's outcome."""
    signed = RouteStep.objects.filter(memo=OuterRef("pk"), role=StepRole.DECISION, state=StepState.SIGNED)
    rejected = Q(status=MemoStatus.REJECTED)
    if outcome == OUTCOME_PENDING:
        return ~rejected & ~Q(Exists(signed))
    decided = Q(Exists(signed.filter(decision=outcome)))
    return (rejected | decided) if outcome == Decision.NOT_APPROVED else (~rejected & decided)


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register, as every output (page, CSV, PDF) shows it. Labels are in the active
    language; `*_th` are the Thai words the exports print."""

    memo_id: Any
    number: str
    date: date | None
    subject: str
    sender: str  # the writer's position and unit
    writer: str
    addressee: str
    urgency: str
    urgency_th: str
    status: str
    status_label: Any
    outcome: str
    outcome_label: Any
    outcome_th: str
    holder: str  # the name of whoever has it in hand, "" when nobody
    holder_line: str  # the position (with the capacity) they hold it in
    days_open: int | None
    secrecy: str = ""  # memos.models.Secrecy; "" = not classified

    @property
    def secrecy_th(self) -> str:
        """ "ลับ", "ลับมาก", "ลับที่สุด" or "" (what the CSV prints)."""
        return secrecy_stamp(self.secrecy)


def _days_open(memo: Memo, today: date) -> int | None:
    if memo.date is None:
        return None
    end = thai.bangkok_date(memo.status_changed_at) if memo.status in FINAL_STATUSES else today
    return max((end - memo.date).days, 0)


def register_row(memo: Memo, *, today: date) -> RegisterRow:
    in_hand: list[RouteStep] = getattr(memo, "steps_in_hand", [])
    step = in_hand[0] if in_hand else None
    outcome = getattr(memo, "outcome", "") or ""
    sender = memo.writer_position.title
    if memo.unit is not None and memo.unit.name not in sender:
        sender = f"{sender} {memo.unit.name}"
    holder = ""
    line = ""
    if step is not None:
        holder = step.assignee.full_name if step.assignee else str(_("Waiting for an administrator"))
        line = signing_line(title=step.position.title, capacity=step.capacity or None)
    return RegisterRow(
        memo_id=memo.pk,
        number=memo.number,
        date=memo.date,
        subject=memo.subject,
        sender=sender,
        writer=memo.writer.full_name,
        addressee=memo.addressee or getattr(memo, "route_end", "") or "",
        urgency=memo.urgency,
        urgency_th=URGENCY_STAMP.get(Urgency(memo.urgency), "") or "ปกติ",
        status=memo.status,
        status_label=memo.get_status_display(),
        outcome=outcome,
        outcome_label=Decision(outcome).label if outcome else "",
        outcome_th=OUTCOME_TH.get(Decision(outcome), "") if outcome else "",
        holder=holder,
        holder_line=line,
        days_open=_days_open(memo, today),
        secrecy=memo.secrecy,
    )


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def register_page(memos: QuerySet[Memo], *, number: int, size: int = PAGE_SIZE) -> RegisterPage:
    """Page `number` (from 1): `size` + 1 rows are read to know whether another page follows."""
    number = max(number, 1)
    start = (number - 1) * size
    found = list(memos[start : start + size + 1])
    today = thai.bangkok_date(timezone.now())
    return RegisterPage(
        rows=[register_row(m, today=today) for m in found[:size]], number=number, has_next=len(found) > size
    )


def register_rows(
    memos: QuerySet[Memo], *, limit: int | None = None, chunk: int = 500
) -> Iterator[RegisterRow]:
    """Every row, read `chunk` memos at a time (two queries per chunk): for the CSV stream and the PDF."""
    today = thai.bangkok_date(timezone.now())
    qs = memos[:limit] if limit is not None else memos
    for memo in qs.iterator(chunk_size=chunk):
        yield register_row(memo, today=today)

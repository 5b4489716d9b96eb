"""Reads for pages and the API: who may see a memo, the route of its current round, the queues."""

import copy
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import thai
from core.audit import RequestMeta
from core.errors import NotFound
from core.models import AuditEvent
from core.prepared import Marker, PreparedQuery
from memos.models import Enclosure, Memo, MemoStatus
from notifications.selectors import unread_notifications_count
from org import lockout
from org.models import Person, Position
from org.selectors import Signatory, signatories_for
from signatures import signing
from signatures.selectors import signature_image_annotations
from workflow.duties import PreviewRow, resolve_step, round_exclusions
from workflow.duties import route_preview as duties_route_preview
from workflow.models import Decision, DutyConflict, RouteStep, StepReassignment, StepRole, StepState


def is_administrator(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_perm("memos.manage_memos")))


def may_see_where_people_signed_from(user: Any) -> bool:
    """IP addresses and browsers of signatures (the history's, the certificate of completion): personal data,
    for auditors and administrators only, not for everyone on a memo's route."""
    return bool(user is not None and (is_auditor(user) or is_administrator(user)))


def is_auditor(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("org.audit_memos"))


def may_write_memo(*, user: Any) -> bool:
    """Whether the person may write a memo: they hold a position (a memo is written in one; an acting
    appointment lets one sign for a position, not write in its name). An administrator holds none."""
    return bool(user.is_authenticated and Position.objects.filter(holder=user).exists())


def header_for(*, user: Any) -> dict[str, Any]:
    """What the header shows a signed-in person, in one query: their task count, their unread notifications (the
    bell), whether the
    "write a memo" link is for them (the same rule as `may_write_memo`) and whether the register and the
    dashboard are (workflow.register's rules)."""
    from workflow.register import header_annotations

    waiting = (
        RouteStep.objects.filter(assignee=OuterRef("pk"), state=StepState.ACTIVE)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        Person.objects.filter(pk=user.pk)
        .annotate(
            task_count=Coalesce(Subquery(waiting), 0),
            may_write=Exists(Position.objects.filter(holder=OuterRef("pk"))),
            unread_count=Coalesce(Subquery(unread_notifications_count(person_ref=OuterRef("pk"))), 0),
            **header_annotations(),
        )
        .values(
            "task_count",
            "may_write",
            "may_see_register",
            "may_see_dashboard",
            "may_search_audit",
            "unread_count",
        )
        .first()
    ) or {
        "task_count": 0,
        "may_write": False,
        "may_see_register": False,
        "may_see_dashboard": False,
        "may_search_audit": False,
        "unread_count": 0,
    }
    return {
        "unread_notifications": row["unread_count"],
        "my_task_count": row["task_count"],
        "can_write_memo": row["may_write"],
        "can_see_register": row["may_see_register"],
        "can_see_dashboard": row["may_see_dashboard"],
        "can_search_audit": row["may_search_audit"],
    }


def memos_visible_to(*, user: Any) -> QuerySet[Memo]:
    """Memos a person may see: the ones they wrote or were assigned a step of; all for administrators and
    auditors. Everyone else gets 404 for a memo, its PDF, attachments and history."""
    qs = Memo.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if is_administrator(user) or is_auditor(user):
        return qs
    return qs.filter(pk__in=visible_memo_ids(user=user))


def visible_memo_ids(*, user: Any) -> QuerySet[Any]:
    """The ids of the memos a person may see as writer or on a route (not as administrator or auditor): the
    union of three id sets, each read from an index — memos they wrote, memos of steps assigned to them, memos
    of steps moved away from them. Unlike `writer = me OR EXISTS … OR EXISTS …`, which PostgreSQL checks row by
    row over the whole memo table (1.6 s at 200,000 memos, issue 12), the union costs what the person's own
    memos cost."""
    written = Memo.objects.filter(writer=user).order_by().values("pk")
    on_route = RouteStep.objects.filter(assignee=user).order_by().values("memo_id")
    moved_away = StepReassignment.objects.filter(previous_assignee=user).order_by().values("step__memo_id")
    return written.union(on_route, moved_away)


def memo_visible_to(*, memo: Memo, user: Any) -> bool:
    if not user.is_authenticated:
        return False
    if memo.writer_id == user.pk or is_administrator(user) or is_auditor(user):
        return True
    return (
        RouteStep.objects.filter(memo=memo, assignee=user).exists()
        or StepReassignment.objects.filter(step__memo=memo, previous_assignee=user).exists()
    )


def memo_get(*, memo_id: Any, user: Any) -> Memo:
    """A memo the user may see, with its current route (`route_steps`) and enclosures loaded; else 404."""
    memo = (
        memos_visible_to(user=user)
        .select_related("writer", "writer_position", "unit", "organisation", "current_revision")
        .prefetch_related(Prefetch("enclosures", queryset=Enclosure.objects.order_by("order")))
        .filter(pk=memo_id)
        .first()
    )
    if memo is None:
        raise NotFound()
    # With the signatures and holders: the page shows the route, and the PDF's document key is computed from it.
    memo.route_steps = current_round_steps(memo=memo, with_signatures=True)  # type: ignore[attr-defined]
    return memo


def _step_query(
    shape: tuple[bool, bool, bool], *, step_id: Any, username: str, ip_address: str, since: datetime
) -> QuerySet[RouteStep]:
    # With whether the memo's current revision is signed on its PDF (how the step is to be signed), and with the
    # signer's lockout counts, read in the same query rather than by the service before it locks: an approve's
    # statements are counted (issue 12).
    locking, by_account, by_address = shape
    query = RouteStep.objects.select_related("memo__current_revision", "position").annotate(
        revision_signed_on_pdf=signing.signed_on_pdf(revision_ref=OuterRef("memo__current_revision_id"))
    )
    if locking:
        query = query.annotate(
            **lockout.failure_annotations(
                username=username if by_account else None,
                ip_address=ip_address if by_address else None,
                since=since,
            )
        )
    return query.filter(pk=step_id).order_by("pk")[:1]


_MARK = datetime(1901, 1, 1, tzinfo=UTC)
#: The step of every action on a task, compiled once per shape (core.prepared).
STEP_QUERY: PreparedQuery[RouteStep] = PreparedQuery(
    _step_query,
    step_id=Marker(uuid.UUID(int=1), uuid.UUID(int=2), RouteStep._meta.get_field("id")),
    username=Marker("prepared-1", "prepared-2", AccessAttempt._meta.get_field("username")),
    ip_address=Marker("192.0.2.1", "192.0.2.2", AccessAttempt._meta.get_field("ip_address")),
    since=Marker(_MARK, _MARK.replace(year=1902), AccessAttempt._meta.get_field("attempt_time")),
)


def step_get(*, step_id: Any, user: Any, signing_from: RequestMeta | None = None) -> RouteStep:
    """A step for acting on it; 404 unless the memo is visible to the user. `signing_from`: the request of a
    signing action (approve, return, reject), whose lockout check is then read here too."""
    ip_address = signing_from.ip_address if signing_from is not None else None
    locking = signing_from is not None and settings.AXES_ENABLED and getattr(user, "is_authenticated", False)
    username = user.get_username() if locking else ""
    try:
        step_uuid = step_id if isinstance(step_id, uuid.UUID) else uuid.UUID(str(step_id))
    except ValueError:
        raise NotFound() from None
    found = STEP_QUERY.run(
        (bool(locking), bool(username), bool(ip_address)),
        step_id=step_uuid,
        username=username or "",
        ip_address=ip_address or "",
        since=lockout.failures_since(),
    )
    step = found[0] if found else None
    if step is None:
        raise NotFound()
    if locking:
        lockout.remember(user, ip_address=ip_address, row=step)
    if step.assignee_id == getattr(user, "pk", None) and user.is_authenticated:
        return step  # the assignee can always see it: no further query on the hot path
    if not memo_visible_to(memo=step.memo, user=user):
        raise NotFound()
    return step


def current_round_steps(*, memo: Memo, with_signatures: bool = False) -> list[RouteStep]:
    """The memo's route as it stands: the steps of the latest round, the writer first (with their signatures,
    signer and position loaded in the same query when `with_signatures`)."""
    latest = max(memo.revision, 1)
    related = ["position", "assignee"]
    if with_signatures:  # the PDF's route: also the holders, who are printed for steps not reached yet
        related += ["signature__signer", "signature__position", "position__holder"]
    query = RouteStep.objects.filter(memo=memo, round__gte=latest).select_related(*related)
    if with_signatures:  # and each signer's handwritten signature as it was when they signed (same query)
        query = query.annotate(
            **signature_image_annotations(person_field="signature__signer", at_field="signature__signed_at")
        )
    steps = list(query.order_by("round", "order"))
    last_round = max((s.round for s in steps), default=latest)
    return [s for s in steps if s.round == last_round]


def route_history(*, memo: Memo) -> QuerySet[RouteStep]:
    """Every round's steps, with their signatures (signer, position, capacity, revision hash) and their
    reassignments (from whom, to whom, by whom, why)."""
    reassignments = StepReassignment.objects.select_related(
        "previous_assignee", "new_assignee", "actor"
    ).order_by("at")
    return (
        RouteStep.objects.filter(memo=memo)
        .select_related(
            "position", "assignee", "signature__signer", "signature__position", "signature__revision"
        )
        .prefetch_related(Prefetch("reassignments", queryset=reassignments))
        .order_by("round", "order")
    )


def route_preview(*, memo: Memo) -> list[PreviewRow]:
    """The memo's route after the writer as it would run if submitted now, under the separation of duties
    (ADR 0005): who would take each step, and which steps would be skipped or wait for an administrator."""
    steps: list[RouteStep] = getattr(memo, "route_steps", None) or current_round_steps(memo=memo)
    return duties_route_preview(writer_id=memo.writer_id, steps=[s for s in steps if s.order > 0])


def route_warnings(*, memo: Memo) -> list[dict[str, Any]]:
    """The preview's steps that would not go to their position's signatory, with the reason in words."""
    warnings = []
    for row in route_preview(memo=memo):
        resolution = row.resolution
        if not resolution.conflict:
            continue
        warnings.append(
            {
                "order": row.order,
                "position": row.position.title,
                "outcome": "skipped" if resolution.skipped else "waits_for_administrator",
                "conflict": resolution.conflict,
                "detail": str(preview_text(row)),
            }
        )
    return warnings


def preview_text(row: PreviewRow) -> Any:
    resolution = row.resolution
    reason = DutyConflict(resolution.conflict).label if resolution.conflict else ""
    if resolution.skipped:
        return _("This step will be skipped: %(reason)s.") % {"reason": reason}
    if resolution.conflict:
        return _("This step will wait for an administrator to assign someone: %(reason)s.") % {
            "reason": reason
        }
    return ""


# Who signs each step (issue 11: the route editor and the memo's timeline) ---------------------------------


def signing_line(*, title: str, capacity: str | None) -> str:
    """The line a signer signs under: the capacity before the position's title, "รักษาการแทน หัวหน้าสำนักปลัด";
    the title alone for its holder."""
    return f"{capacity} {title}" if capacity else title


@dataclass(frozen=True)
class StepSigner:
    """Who signs a step, and under which line. `expected`: nobody is assigned yet, this is who would get
    the step if the memo reached it today; `person` None: nobody would (or the step was not reached), and
    `note` says so in words."""

    person: Person | None
    line: str
    expected: bool = False
    note: Any = ""


def route_signers(
    *, memo: Memo, steps: Iterable[RouteStep], at: datetime | None = None
) -> dict[Any, StepSigner]:
    """For each of `steps` (a memo's steps, any rounds; position, its holder and assignee loaded), by its pk:
    the assignee once it has one, in the capacity they were given; for a step of the route now (draft,
    returned or in review) not reached yet, who would get it today by the rule the services apply when it
    activates (workflow.duties: an acting appointment in force, else the holder; nobody who has signed
    or will sign before it in the round, nor the writer). One query, whatever the number of steps."""
    steps = list(steps)
    latest = max((s.round for s in steps), default=0)
    current = [s for s in steps if s.round == latest]
    live = memo.status in (MemoStatus.DRAFT, MemoStatus.RETURNED, MemoStatus.IN_REVIEW)
    ahead = [s for s in current if live and s.order > 0 and s.state == StepState.WAITING]
    resolved = signatories_for(positions=[s.position for s in ahead], at=at) if ahead else {}
    people = {sig.person.pk: sig.person for sig in resolved.values() if sig is not None}
    excluded = round_exclusions(writer_id=memo.writer_id, steps=current)
    for step in current:  # whoever holds the step in hand now is counted as signing it
        if step.state == StepState.ACTIVE and step.assignee_id is not None:
            excluded.setdefault(step.assignee_id, DutyConflict.SIGNED)
    signers: dict[Any, StepSigner] = {}
    for step in steps:
        title = step.position.title
        if step.assignee_id is not None:
            signers[step.pk] = StepSigner(
                person=step.assignee, line=signing_line(title=title, capacity=step.capacity)
            )
        elif step.order == 0:  # a draft's own first step: its writer, in the post they write in
            signers[step.pk] = StepSigner(person=memo.writer, line=title)
        elif step in ahead:
            signers[step.pk] = _forecast(step, resolved.get(step.position_id), people, excluded, at)
        elif step.state == StepState.ACTIVE:
            signers[step.pk] = StepSigner(
                person=None, line=title, note=_("Waiting for an administrator to assign someone")
            )
        else:
            signers[step.pk] = StepSigner(person=None, line=title)
    return signers


def _forecast(
    step: RouteStep,
    signatory: Signatory | None,
    people: dict[Any, Person],
    excluded: dict[Any, str],
    at: datetime | None,
) -> StepSigner:
    """One step not reached yet, through workflow.duties.resolve_step (the services' own rule), fed with the
    signatory resolved for its position in the one query of `route_signers`."""
    probe = copy.copy(step)  # the caller's step keeps no annotation of ours
    acting = signatory is not None and bool(signatory.capacity)
    probe.acting_person_id = signatory.person.pk if acting and signatory else None  # type: ignore[attr-defined]
    probe.acting_capacity = signatory.capacity if acting and signatory else None  # type: ignore[attr-defined]
    resolution = resolve_step(step=probe, excluded=excluded, at=at)
    title = step.position.title
    if resolution.signatory is not None:
        person = people.get(resolution.signatory.person.pk, resolution.signatory.person)
        excluded.setdefault(person.pk, DutyConflict.SIGNED)
        line = signing_line(title=title, capacity=resolution.signatory.capacity)
        return StepSigner(person=person, line=line, expected=True)
    if resolution.conflict:
        row = PreviewRow(order=step.order, role=step.role, position=step.position, resolution=resolution)
        return StepSigner(person=None, line=title, note=preview_text(row))
    return StepSigner(
        person=None,
        line=title,
        note=_(
            "Nobody holds this position or acts for it now: the step will wait for an administrator to "
            "assign someone."
        ),
    )


def route_timeline(*, memo: Memo) -> list[RouteStep]:
    """`route_history` with the positions' holders, for `route_signers` (same one query)."""
    return list(route_history(memo=memo).select_related("position__holder"))


@dataclass(frozen=True)
class PositionChoice:
    """A position the writer may add to the route, and who would sign for it today."""

    position: Position
    signatory: Signatory | None

    @property
    def label(self) -> str:
        """ "รักษาการแทน หัวหน้าสำนักปลัด — นางราชวรี อนุกุล"; a vacant post says so."""
        if self.signatory is None:
            return f"{self.position.title} — {_('vacant, and nobody acts for it')}"
        line = signing_line(title=self.position.title, capacity=self.signatory.capacity)
        return f"{line} — {self.signatory.person.full_name}"


def route_position_choices(*, memo: Memo, at: datetime | None = None) -> list[PositionChoice]:
    """The positions the route editor offers: the memo's organisation's, except those its writer holds
    (nobody sends a memo to themself; memo_route_set refuses them too). Two queries."""
    positions = list(
        Position.objects.filter(organisation_id=memo.organisation_id)
        .exclude(holder_id=memo.writer_id)
        .exclude(pk=memo.writer_position_id)
        .select_related("holder")
    )
    resolved = signatories_for(positions=positions, at=at)
    return [PositionChoice(position=p, signatory=resolved[p.pk]) for p in positions]


def memo_events(*, memo: Memo) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=memo._meta.label_lower, object_id=str(memo.pk))
        .select_related("actor")
        .order_by("at")
    )


@dataclass(frozen=True)
class Phrase:
    """A phrase chip: its text, and the decision it chooses (on the decision step, for ทราบ, อนุมัติ and
    ไม่อนุมัติ; empty: it is typed into the opinion box)."""

    text: str
    decision: str = ""


#: The decision each of the decision's own words chooses when tapped on the decision step.
DECISION_WORDS = {
    "ทราบ": Decision.ACKNOWLEDGED,
    "อนุมัติ": Decision.APPROVED,
    "ไม่อนุมัติ": Decision.NOT_APPROVED,
}


def opinion_phrases(*, organisation_id: Any, role: str) -> list[Phrase]:
    """The phrases offered to a step of `role`: the organisation's for that role (edited in the admin), else
    that role's MEMOFLOW_OPINION_PHRASES defaults."""
    from django.conf import settings

    from workflow.models import OpinionPhrase

    texts = list(
        OpinionPhrase.objects.filter(organisation_id=organisation_id, role=role).values_list(
            "text", flat=True
        )
    ) or list(settings.MEMOFLOW_OPINION_PHRASES.get(role, []))
    if role == StepRole.DECISION:
        return [Phrase(text=text, decision=DECISION_WORDS.get(text.strip(), "")) for text in texts]
    return [Phrase(text=text) for text in texts]


def waiting_step(*, memo_id: Any) -> tuple[str, RouteStep | None]:
    """The memo's status now and the step it waits at (with its assignee and position), if any: what the
    page tells someone who has just acted on it."""
    status = Memo.objects.filter(pk=memo_id).values_list("status", flat=True).get()
    step = (
        RouteStep.objects.filter(memo_id=memo_id, state=StepState.ACTIVE)
        .select_related("assignee", "position")
        .order_by("-round", "order")
        .first()
    )
    return status, step


@dataclass(frozen=True)
class ReturnInfo:
    """Why a memo came back to its writer (ส่งคืนแก้ไข): the reason, who returned it, in which position, when."""

    reason: str
    name: str
    position: str  # with the capacity the step was signed in ("รักษาราชการแทน ปลัด…"), as on the timeline
    at: datetime | None

    @property
    def when(self) -> str:
        """The time in Bangkok, in the reader's language: Thai (Buddhist era, Thai digits) or English."""
        if self.at is None:
            return ""
        if (get_language() or "th").startswith("en"):
            local = thai.to_bangkok(self.at)
            return f"{thai.format_date_long_en(local)}, {local.hour:02d}:{local.minute:02d}"
        return thai.format_datetime(self.at)


def _return_fields() -> JSONObject:
    return JSONObject(
        reason="reason",
        at="acted_at",
        position="position__title",
        capacity="capacity",
        title="assignee__title",
        first_th="assignee__first_name_th",
        first="assignee__first_name",
        last_th="assignee__last_name_th",
        last="assignee__last_name",
        username="assignee__username",
    )


def _return_info(row: dict[str, Any] | None) -> ReturnInfo | None:
    """A ReturnInfo from `_return_fields()` (a dictionary, whichever database built it)."""
    if not row:
        return None
    first = row.get("first_th") or row.get("first") or ""
    last = row.get("last_th") or row.get("last") or ""
    name = f"{row.get('title') or ''}{first} {last}".strip() or (row.get("username") or "")
    at: datetime | None = None
    if isinstance(row.get("at"), str):
        at = parse_datetime(row["at"].replace(" ", "T", 1))
        if at is not None and timezone.is_naive(at):  # SQLite keeps UTC without its offset
            at = timezone.make_aware(at, UTC)
    position = f"{row['capacity']} {row['position']}" if row.get("capacity") else row.get("position") or ""
    return ReturnInfo(reason=row.get("reason") or "", name=name, position=position, at=at)


def _latest_return(memo_ref: Any) -> Subquery:
    """The memo's latest returned step as one JSON value (a subquery of the caller's query: no query more)."""
    returned = (
        RouteStep.objects.filter(memo_id=memo_ref, state=StepState.RETURNED)
        .order_by("-round", "-order")
        .values(data=_return_fields())[:1]
    )
    return Subquery(returned)


def latest_return(*, memo: Memo) -> ReturnInfo | None:
    """Why the memo is back with its writer, while it is (status returned); None otherwise."""
    if memo.status != MemoStatus.RETURNED:
        return None
    row = (
        RouteStep.objects.filter(memo=memo, state=StepState.RETURNED)
        .order_by("-round", "-order")
        .values(data=_return_fields())
        .first()
    )
    return _return_info(row["data"] if row else None)

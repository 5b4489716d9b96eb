"""Routes: the plan a new memo starts with, the checks every route passes, and route templates."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import RequestMeta, audit_event_append
from core.errors import ValidationFailed
from memos.models import Memo
from org.models import Person, Position
from workflow.models import ROUTE_ROLES, RouteStep, RouteTemplate, StepRole, TemplateSlot
from workflow.services._common import MAX_ROUTE_STEPS


@dataclass(frozen=True)
class PlannedStep:
    role: str
    position: Position


def _head_of_top_unit(position: Position) -> Position | None:
    if position.unit is None:
        return None
    top = position.unit.top_level()
    return Position.objects.filter(unit=top, is_head_of_unit=True).first()


def route_plan_for(*, writer_position: Position) -> list[PlannedStep]:
    """The route a new memo starts with: its unit's template (nearest unit up the tree), else the
    organisation's default template, else the chain of `reports_to` above the head of the writer's top-level
    unit (cosign, then opinions, the last one deciding) — which is the seed's chain for อบต.หนองโสน."""
    units = [writer_position.unit, *writer_position.unit.ancestors()] if writer_position.unit else []
    templates = {
        t.unit_id: t
        for t in RouteTemplate.objects.filter(
            organisation_id=writer_position.organisation_id
        ).prefetch_related("steps__position")
    }
    template = next((templates[u.pk] for u in units if u.pk in templates), templates.get(None))
    planned: list[PlannedStep] = []
    if template is not None:
        for t_step in template.steps.all():
            position = (
                _head_of_top_unit(writer_position)
                if t_step.slot == TemplateSlot.WRITER_UNIT_HEAD
                else t_step.position
            )
            if position is not None:
                planned.append(PlannedStep(role=t_step.role, position=position))
    else:
        chain: list[Position] = []
        current = _head_of_top_unit(writer_position) or writer_position.reports_to
        while current is not None and current not in chain:
            chain.append(current)
            current = current.reports_to
        for index, position in enumerate(chain):
            role = (
                StepRole.DECISION
                if index == len(chain) - 1
                else StepRole.COSIGN
                if index == 0
                else StepRole.OPINION
            )
            planned.append(PlannedStep(role=role, position=position))
    # Nobody co-signs their own memo: a step for the writer's own position, or another post they hold, is
    # dropped (_validate_route refuses them).
    writer_id = writer_position.holder_id
    return [
        p
        for p in planned
        if p.position.pk != writer_position.pk and (writer_id is None or p.position.holder_id != writer_id)
    ]


def _validate_route(*, memo: Memo, planned: list[PlannedStep]) -> None:
    errors: list[Any] = []
    if not planned:
        errors.append(_("The route needs at least one step, ending with the decision."))
    if len(planned) > MAX_ROUTE_STEPS:
        errors.append(_("A route may have at most %(max)s steps.") % {"max": MAX_ROUTE_STEPS})
    roles = [p.role for p in planned]
    if any(role not in ROUTE_ROLES for role in roles):
        errors.append(_("Each step's role must be cosign, opinion or decision."))
    if roles.count(StepRole.DECISION) != 1 or (roles and roles[-1] != StepRole.DECISION):
        errors.append(_("The route must have exactly one decision step, and it must be the last."))
    positions = [p.position.pk for p in planned]
    if len(set(positions)) != len(positions):
        errors.append(_("A position can appear only once in a route."))
    if memo.writer_position_id in positions:
        errors.append(_("The writer's own position cannot be a step of the route."))
    # Nor any other post the writer holds: the memo would go to the writer (and the step be skipped).
    for held in (p.position for p in planned if p.position.pk != memo.writer_position_id):
        if held.holder_id is not None and held.holder_id == memo.writer_id:
            errors.append(
                _(
                    "You hold the position %(position)s yourself; it cannot be a step of your own memo's route."
                )
                % {"position": held.title}
            )
    if any(p.position.organisation_id != memo.organisation_id for p in planned):
        errors.append(_("Every position must belong to the memo's organisation."))
    if errors:
        raise ValidationFailed(errors[0], fields={"route": errors})


def _steps_from_plan(*, memo: Memo, round_: int, planned: list[PlannedStep]) -> list[RouteStep]:
    writer = RouteStep(memo=memo, round=round_, order=0, role=StepRole.WRITER, position=memo.writer_position)
    rest = [
        RouteStep(memo=memo, round=round_, order=index, role=p.role, position=p.position)
        for index, p in enumerate(planned, start=1)
    ]
    return [writer, *rest]


def _route_snapshot(steps: list[RouteStep]) -> list[dict[str, Any]]:
    return [
        {"order": s.order, "role": s.role, "position_id": str(s.position_id), "position": s.position.title}
        for s in steps
    ]


def route_template_save(
    *,
    organisation: Any,
    name: str,
    steps: list[tuple[str, str, Position | None]],
    unit: Any = None,
    template: RouteTemplate | None = None,
    actor: Person | None = None,
    meta: RequestMeta | None = None,
) -> RouteTemplate:
    """Create or replace a route template (or update `template`): steps are (role, slot, position).
    Memos already created keep the route they copied."""
    from workflow.models import RouteTemplateStep

    if any(slot == TemplateSlot.POSITION and position is None for _role, slot, position in steps):
        raise ValidationFailed(fields={"steps": [_("Choose the position of each step.")]})
    if not steps or steps[-1][0] != StepRole.DECISION or [s[0] for s in steps].count(StepRole.DECISION) != 1:
        raise ValidationFailed(
            fields={"steps": [_("The route must have exactly one decision step, and it must be the last.")]}
        )
    with transaction.atomic(durable=True):
        if template is None:
            template, _created = RouteTemplate.objects.update_or_create(
                organisation=organisation, unit=unit, defaults={"name": name}
            )
        else:
            clash = RouteTemplate.objects.filter(organisation=organisation, unit=unit).exclude(pk=template.pk)
            if clash.exists():
                raise ValidationFailed(fields={"unit": [_("This unit already has a route template.")]})
            template.organisation, template.unit, template.name = organisation, unit, name
            template.save()
        before = _template_steps(template)
        template.steps.all().delete()
        RouteTemplateStep.objects.bulk_create(
            RouteTemplateStep(template=template, order=index, role=role, slot=slot, position=position)
            for index, (role, slot, position) in enumerate(steps, start=1)
        )
        audit_event_append(
            action="route_template.saved",
            obj=template,
            actor=actor,
            data={
                "name": template.name,
                "unit": template.unit.name if template.unit else None,
                "steps": [{"role": r, "slot": s, "position": p.title if p else None} for r, s, p in steps],
                "previous_steps": before,
            },
            meta=meta,
        )
    return template


def _template_steps(template: RouteTemplate) -> list[dict[str, Any]]:
    return [
        {"role": step.role, "slot": step.slot, "position": step.position.title if step.position else None}
        for step in template.steps.select_related("position").order_by("order")
    ]


def route_template_delete(
    *, template: RouteTemplate, actor: Person | None = None, meta: RequestMeta | None = None
) -> None:
    """Remove a route template (memos already created keep the route they copied); `route_template.deleted`
    keeps its name, unit and steps."""
    with transaction.atomic(durable=True):
        data = {
            "name": template.name,
            "unit": template.unit.name if template.unit else None,
            "steps": _template_steps(template),
        }
        audit_event_append(action="route_template.deleted", obj=template, actor=actor, data=data, meta=meta)
        template.delete()

"""Separation of duties (ADR 0005): who takes a step of a round, given who may not.

Nobody holds two steps of one round, and the writer never signs a later step of their own memo, whatever the
acting appointments say. The person resolved for a step's position (`org.selectors.signatory_for`: an acting
appointee, else the holder) is set aside when they are the writer or have already signed in this round. Then:

- a co-sign or opinion step is skipped — the memo goes on to the next step, resolved by the same rule: a
  second signature from someone already on the memo adds no independent check;
- the decision step is never skipped: it waits, with nobody assigned, for an administrator to reassign it
  (who may not choose the writer or anyone who signed in this round either).

One function decides, for the services when a step activates and for the route preview the writer sees
before submitting, so the two always agree.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import NoSignatory
from org.models import Person, Position
from org.selectors import Signatory, signatory_for, signatory_from_annotations
from workflow.models import DutyConflict, RouteStep, StepRole, StepState


@dataclass(frozen=True)
class StepResolution:
    """Who takes a step: `signatory` (None: skipped, or waiting for an administrator); `conflict` says why
    the person resolved for its position, `set_aside`, could not take it."""

    signatory: Signatory | None
    skipped: bool = False
    conflict: str = ""
    set_aside: Person | None = None

    @property
    def waits_for_administrator(self) -> bool:
        return self.signatory is None and not self.skipped


def position_signatory(*, step: RouteStep, at: datetime | None) -> Signatory | None:
    """The signatory of the step's position now (from the query's annotations when it made them); None
    when the position is vacant and nobody acts for it."""
    try:
        if hasattr(step, "acting_person_id"):
            return signatory_from_annotations(
                position=step.position,
                acting_person_id=getattr(step, "acting_person_id", None),
                acting_capacity=getattr(step, "acting_capacity", None),
            )
        return signatory_for(position=step.position, at=at)
    except NoSignatory:
        return None


def resolve_step(*, step: RouteStep, excluded: Mapping[Any, str], at: datetime | None) -> StepResolution:
    """The rule of the module docstring; `excluded` maps a person's id to the DutyConflict that sets them
    aside (the writer; everyone who signed earlier in the round)."""
    signatory = position_signatory(step=step, at=at)
    if signatory is None:
        return StepResolution(signatory=None)
    conflict = excluded.get(signatory.person.pk)
    if conflict is None:
        return StepResolution(signatory=signatory)
    set_aside = signatory.person
    return StepResolution(
        signatory=None, skipped=step.role != StepRole.DECISION, conflict=conflict, set_aside=set_aside
    )


def round_exclusions(*, writer_id: Any, steps: Iterable[RouteStep]) -> dict[Any, str]:
    """Who may not take a further step of this round: the writer, and every person who signed in it."""
    excluded: dict[Any, str] = {
        s.assignee_id: DutyConflict.SIGNED
        for s in steps
        if s.state == StepState.SIGNED and s.assignee_id is not None
    }
    excluded[writer_id] = DutyConflict.WRITER
    return excluded


@dataclass(frozen=True)
class PreviewRow:
    order: int
    role: str
    position: Position
    resolution: StepResolution


def route_preview(*, writer_id: Any, steps: list[RouteStep], at: datetime | None = None) -> list[PreviewRow]:
    """The route as it would run if submitted now (`steps`: the round's steps after the writer, in order),
    each step's signatory assumed to sign when their turn comes — the same resolution the services make
    at activation time."""
    excluded: dict[Any, str] = {writer_id: DutyConflict.WRITER}
    rows = []
    for step in steps:
        resolution = resolve_step(step=step, excluded=excluded, at=at)
        if resolution.signatory is not None:
            excluded.setdefault(resolution.signatory.person.pk, DutyConflict.SIGNED)
        rows.append(
            PreviewRow(order=step.order, role=step.role, position=step.position, resolution=resolution)
        )
    return rows

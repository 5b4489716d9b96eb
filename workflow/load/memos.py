"""One generated memo, from draft to its end, as the services would have left it: the memo row, its revisions,
route steps of every round, signatures, the viewflow process and tasks, and its audit events.

The path is drawn step by step: each signatory takes a while to act (an exponential delay with the seat's own
mean: a busy head is slow, so hundreds of tasks wait for them), returns for revision, rejects or signs; a memo
whose next action would fall after the end of the period stays where it is (a draft, in review at that step,
returned to its writer). Old memos are almost all archived; some, forgotten, still wait."""

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any

from core.thai import bangkok_date, thai_digits
from memos import services as memo_services
from memos.models import MemoStatus, Urgency
from workflow.load import text
from workflow.load.chart import Chart, Org, Seat, Writer
from workflow.load.sink import Chain, Ids, Row
from workflow.models import Decision, DutyConflict, StepRole, StepState

FLOW = "workflow/flows.MemoFlow"
DAY = 86400.0
URGENCIES = (Urgency.NORMAL, Urgency.URGENT, Urgency.VERY_URGENT, Urgency.MOST_URGENT)
URGENCY_WEIGHTS = tuple(accumulate((80, 12, 5, 3)))
DECISIONS = (Decision.APPROVED, Decision.ACKNOWLEDGED, Decision.NOT_APPROVED, Decision.OTHER)
DECISION_WEIGHTS = tuple(accumulate((70, 25, 3, 2)))
MAX_ROUNDS = 4
OUTCOME_DATA = {o: json.dumps({"outcome": o}) for o in ("next", "completed", "returned", "rejected")}


@dataclass
class Counters:
    """What the generator made, for its summary and the registers' last numbers."""

    statuses: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    registers: dict[tuple[Any, str, str, int], list[Any]] = field(default_factory=dict)


@dataclass
class _Step:
    id: Any
    round: int
    order: int
    role: str
    seat: Seat
    state: str = StepState.WAITING
    assignee: Any = None
    capacity: str = ""
    activated_at: datetime | None = None
    acted_at: datetime | None = None
    opinion: str = ""
    decision: str = ""
    decision_text: str = ""
    reason: str = ""
    task: int | None = None
    signature: Any = None
    duty_conflict: str = ""

    def row(self, memo_id: Any) -> Row:
        return (
            self.id,
            memo_id,
            self.round,
            self.order,
            self.role,
            self.seat.id,
            self.state,
            self.assignee,
            self.capacity,
            self.activated_at,
            self.acted_at,
            self.opinion,
            self.decision,
            self.decision_text,
            self.reason,
            self.task,
            self.signature,
            self.duty_conflict,
        )


class MemoMaker:
    """Makes memos one after another (in creation order) into the current chunk's row lists."""

    def __init__(
        self,
        *,
        chart: Chart,
        rng: random.Random,
        ids: Ids,
        chain: Chain,
        end: datetime,
        next_process: int,
        next_task: int,
        counters: Counters,
    ) -> None:
        self.chart = chart
        self.rng = rng
        self.ids = ids
        self.chain = chain
        self.end = end
        self.process_id = next_process
        self.task_id = next_task
        self.counters = counters
        self.org_weights = list(accumulate(o.weight for o in chart.organisations))
        self.writer_weights = {o.index: list(accumulate(o.writer_weights)) for o in chart.organisations}
        self.usernames = chart.usernames
        self.first_task = next_task + 1
        self.rows: dict[str, list[Row]] = {}

    # Small helpers ---------------------------------------------------------------------------------------

    def _later(self, at: datetime, mean_days: float) -> datetime:
        return at + timedelta(seconds=self.rng.expovariate(1 / (mean_days * DAY)) + 60)

    def _task(
        self,
        process: int,
        node: str,
        kind: str,
        created: datetime,
        owner: Any,
        previous: int | None,
    ) -> int:
        self.task_id += 1
        self.rows["viewflow_task"].append(
            [
                self.task_id,
                f"{FLOW}.{node}",
                kind,
                "ASSIGNED",
                created,
                created,
                None,
                None,
                "start",
                owner,
                process,
                "{}",
            ]
        )
        if previous is not None:
            self.rows["viewflow_task_previous"].append((self.task_id, previous))
        return self.task_id

    def _finish_task(self, task: int, at: datetime, outcome: str | None, status: str = "DONE") -> None:
        row = self.rows["viewflow_task"][task - self.first_task]
        row[3] = status
        if status == "DONE":
            row[6] = at
        row[7] = at
        if outcome is not None:
            row[11] = OUTCOME_DATA[outcome]

    def _end_task(self, process: int, node: str, at: datetime, previous: int) -> None:
        self.task_id += 1
        self.rows["viewflow_task"].append(
            [self.task_id, f"{FLOW}.{node}", "END", "DONE", at, None, at, at, "start", None, process, "{}"]
        )
        self.rows["viewflow_task_previous"].append((self.task_id, previous))

    def _signature(
        self,
        memo_id: Any,
        revision: tuple[Any, str],
        signer: Any,
        seat: Seat,
        capacity: str,
        at: datetime,
        where: tuple[str, str],
    ) -> Any:
        signature_id = self.ids.at(at)
        self.rows["signatures_signature"].append(
            (
                signature_id,
                memo_id,
                revision[0],
                revision[1],
                signer,
                seat.id,
                capacity,
                at,
                "password",
                where[0],
                where[1],
                "",
            )
        )
        return signature_id

    def _where(self, org: Org, person: Any) -> tuple[str, str]:
        """Where someone acted from: their desk most days (one address each), now and then a phone."""
        if self.rng.random() < 0.1:
            return f"10.{org.index % 250}.200.{self.rng.randrange(2, 250)}", text.USER_AGENTS[1]
        return f"10.{org.index % 250}.{person // 240 % 200}.{person % 240 + 10}", text.USER_AGENTS[0]

    # One memo -------------------------------------------------------------------------------------------

    def start_chunk(self, rows: dict[str, list[Row]]) -> None:
        self.rows = rows
        self.first_task = self.task_id + 1

    def make(self, created: datetime) -> None:
        rng = self.rng
        org = self.chart.organisations[
            rng.choices(range(len(self.org_weights)), cum_weights=self.org_weights)[0]
        ]
        writer = org.writers[
            rng.choices(range(len(org.writers)), cum_weights=self.writer_weights[org.index])[0]
        ]
        route = self._route(org, writer)
        memo_id = self.ids.at(created)
        day = bangkok_date(created)
        subject = text.subject(rng, day.year + 543)
        body = text.body(rng, subject)
        urgency = rng.choices(URGENCIES, cum_weights=URGENCY_WEIGHTS)[0]
        memo: dict[str, Any] = {
            "status": MemoStatus.DRAFT,
            "number": "",
            "register_year": None,
            "sequence": None,
            "register": None,
            "date": None,
            "addressee": "",
            "revision": 0,
            "current_revision": None,
            "process": None,
            "changed": created,
            "archive": ("", "", None),
        }
        self.chain.add(
            created, writer.person_id, "memo.created", "memos.memo", str(memo_id), {"subject": subject}
        )
        steps = self._round(memo_id, 1, route, writer, created)
        submit_at = self._later(created, 0.4)
        if rng.random() < 0.01 or submit_at > self.end:
            self._finish(memo_id, org, writer, subject, body, urgency, created, memo, steps)
            return
        # The first submit: a number from the register of the year it is sent in.
        memo_day = bangkok_date(submit_at)
        kind, year = memo_services.register_year_for(memo_day)
        key = (org.id, org.document_code, kind, year)
        register = self.counters.registers.get(key)
        if register is None:
            register = self.counters.registers[key] = [self.ids.at(submit_at), 0]
            self.rows["memos_register"].append((register[0], org.id, org.document_code, kind, year, 0))
        register[1] += 1
        memo.update(
            number=f"{org.document_code}/{thai_digits(register[1])}",
            register_year=year,
            sequence=register[1],
            register=register[0],
            date=memo_day,
            addressee=route[-1][1].title,
        )
        self.process_id += 1
        process = self.process_id
        memo["process"] = process
        start_task = self._task(process, "start", "START", submit_at, None, None)
        self._finish_task(start_task, submit_at, None)
        row = self.rows["viewflow_task"][start_task - self.first_task]
        row[4], row[5], row[10] = submit_at, None, process
        process_row = [process, "NEW", submit_at, None, FLOW, json.dumps({"memo": str(memo_id)})]
        self.rows["viewflow_process"].append(process_row)
        self._review(
            memo_id,
            org,
            writer,
            subject,
            body,
            urgency,
            created,
            memo,
            steps,
            route,
            submit_at,
            start_task,
            process_row,
        )

    def _review(
        self,
        memo_id: Any,
        org: Org,
        writer: Writer,
        subject: str,
        body: str,
        urgency: str,
        created: datetime,
        memo: dict[str, Any],
        steps: list[_Step],
        route: list[tuple[str, Seat]],
        submit_at: datetime,
        previous_task: int,
        process_row: list[Any],
    ) -> None:
        rng = self.rng
        process = process_row[0]
        round_ = 1
        now = submit_at
        while True:
            revision = self._revision(memo_id, org, writer, subject, body, urgency, memo, steps, now)
            memo.update(
                revision=round_, current_revision=revision[0], status=MemoStatus.IN_REVIEW, changed=now
            )
            where = self._where(org, writer.person_id)
            writer_step = steps[0]
            writer_step.state = StepState.SIGNED
            writer_step.assignee = writer.person_id
            writer_step.activated_at = writer_step.activated_at or now
            writer_step.acted_at = now
            writer_step.signature = self._signature(
                memo_id, revision, writer.person_id, writer.seat, "", now, where
            )
            signed = {writer.person_id}
            first = self._activate(
                memo_id, steps, 1, signed, writer, now, writer.person_id, where, process, previous_task
            )
            self.chain.add(
                now,
                writer.person_id,
                "memo.submitted",
                "memos.memo",
                str(memo_id),
                {
                    "number": memo["number"],
                    "revision": round_,
                    "revision_sha256": revision[1],
                    "position": writer.seat.title,
                    "next_position": first.seat.title,
                    "next_assignee": self.usernames.get(first.assignee),
                },
                *where,
            )
            # The writer withdraws now and then before anyone acts.
            if rng.random() < 0.01:
                at = self._later(now, 0.5)
                if at <= self.end:
                    self._withdraw(memo_id, memo, steps, writer, at, process_row, first.task)
                    break
            current = first
            outcome = ""
            while True:
                mean = org.slowness.get(current.seat.id, 1.5)
                at = self._later(current.activated_at or now, mean if rng.random() > 0.002 else 5000)
                if at > self.end:
                    outcome = "waiting"
                    break
                where = self._where(org, current.assignee)
                draw = rng.random()
                can_return = round_ < MAX_ROUNDS
                if current.role == StepRole.COSIGN:
                    outcome = "returned" if can_return and draw < 0.06 else "signed"
                elif current.role == StepRole.OPINION:
                    outcome = (
                        "returned"
                        if can_return and draw < 0.04
                        else ("rejected" if draw > 0.99 else "signed")
                    )
                else:
                    outcome = (
                        "returned"
                        if can_return and draw < 0.03
                        else ("rejected" if draw > 0.985 else "signed")
                    )
                assert current.task is not None
                if outcome != "signed":
                    self._stop(memo_id, memo, steps, current, outcome, at, where, process_row)
                    break
                current.state = StepState.SIGNED
                current.acted_at = at
                current.signature = self._signature(
                    memo_id, revision, current.assignee, current.seat, current.capacity, at, where
                )
                if current.role == StepRole.COSIGN:
                    current.opinion = rng.choice(text.COSIGN_OPINIONS)
                elif current.role == StepRole.OPINION:
                    current.opinion = text.fill(rng.choice(text.OPINIONS), rng)
                else:
                    current.decision = rng.choices(DECISIONS, cum_weights=DECISION_WEIGHTS)[0]
                    if current.decision == Decision.OTHER:
                        current.decision_text = text.fill(rng.choice(text.OTHER_ORDERS), rng)
                signed.add(current.assignee)
                last = current.order == len(steps) - 1
                self._finish_task(current.task, at, "completed" if last else "next")
                following = None
                if not last:
                    following = self._activate(
                        memo_id,
                        steps,
                        current.order + 1,
                        signed,
                        writer,
                        at,
                        current.assignee,
                        where,
                        process,
                        current.task,
                    )
                self.chain.add(
                    at,
                    current.assignee,
                    "step.approved",
                    "memos.memo",
                    str(memo_id),
                    {
                        "step": current.order,
                        "round": current.round,
                        "role": current.role,
                        "position": current.seat.title,
                        "capacity": current.capacity,
                        "decision": current.decision,
                        "revision_sha256": revision[1],
                    },
                    *where,
                )
                memo["changed"] = at
                if following is None:
                    self._end_task(process, "completed", at, current.task)
                    process_row[1], process_row[3] = "DONE", at
                    memo.update(status=MemoStatus.COMPLETED)
                    self._archive(memo_id, memo, revision, at)
                    break
                current = following
            if outcome != "returned":
                break
            # Back to the writer: a new round, the writer's revise task; resubmitted, withdrawn or still there.
            returned_at = memo["changed"]
            round_ += 1
            steps_next = self._round(memo_id, round_, route, writer, returned_at)
            writer_step = steps_next[0]
            writer_step.state = StepState.ACTIVE
            writer_step.assignee = writer.person_id
            writer_step.activated_at = returned_at
            writer_step.task = self._task(
                process, "revise", "HUMAN", returned_at, writer.person_id, current.task
            )
            self._flush_steps(memo_id, steps)
            steps = steps_next
            again = self._later(returned_at, 2.0)
            if again > self.end:
                break
            if rng.random() < 0.05:
                self._withdraw(memo_id, memo, steps, writer, again, process_row, writer_step.task)
                break
            self._finish_task(writer_step.task, again, "next")
            previous_task = writer_step.task
            now = again
        self._finish(memo_id, org, writer, subject, body, urgency, created, memo, steps)

    def _route(self, org: Org, writer: Writer) -> list[tuple[str, Seat]]:
        top = writer.unit.top or writer.unit
        head = top.head
        route: list[tuple[str, Seat]] = []
        if head is not None:
            route.append((StepRole.COSIGN, head))
        draw = self.rng.random()
        if org.deputy is not None and draw < 0.1:
            route += [
                (StepRole.OPINION, org.deputy),
                (StepRole.OPINION, org.palad),
                (StepRole.DECISION, org.nayok),
            ]
        elif draw < 0.4:
            route.append((StepRole.DECISION, org.palad))
        else:
            route += [(StepRole.OPINION, org.palad), (StepRole.DECISION, org.nayok)]
        return route

    def _round(
        self, memo_id: Any, round_: int, route: list[tuple[str, Seat]], writer: Writer, at: datetime
    ) -> list[_Step]:
        steps = [_Step(self.ids.at(at), round_, 0, StepRole.WRITER, writer.seat)]
        steps += [
            _Step(self.ids.at(at), round_, i, role, seat) for i, (role, seat) in enumerate(route, start=1)
        ]
        return steps

    def _activate(
        self,
        memo_id: Any,
        steps: list[_Step],
        start: int,
        signed: set[Any],
        writer: Writer,
        at: datetime,
        actor: Any,
        where: tuple[str, str],
        process: int,
        previous_task: int,
    ) -> _Step:
        """The first step from `start` that someone may take (ADR 0005: not the writer, not someone who signed
        in this round); the ones passed over are skipped, with a `step.skipped` event."""
        for step in steps[start:]:
            signer = step.seat.signer_id
            conflict = (
                DutyConflict.WRITER
                if signer == writer.person_id
                else (DutyConflict.SIGNED if signer in signed else "")
            )
            if conflict and step.role != StepRole.DECISION:
                step.state = StepState.SKIPPED
                step.duty_conflict = conflict
                self.chain.add(
                    at,
                    actor,
                    "step.skipped",
                    "memos.memo",
                    str(memo_id),
                    {
                        "step": step.order,
                        "round": step.round,
                        "position": step.seat.title,
                        "person": self.usernames.get(signer),
                        "conflict": conflict,
                    },
                    *where,
                )
                continue
            step.state = StepState.ACTIVE
            step.activated_at = at
            step.assignee = signer
            step.capacity = step.seat.capacity
            step.task = self._task(process, "approve", "HUMAN", at, signer, previous_task)
            return step
        raise AssertionError("a generated route ends with a decision step nobody is excluded from")

    def _revision(
        self,
        memo_id: Any,
        org: Org,
        writer: Writer,
        subject: str,
        body: str,
        urgency: str,
        memo: dict[str, Any],
        steps: list[_Step],
        at: datetime,
    ) -> tuple[Any, str]:
        """The revision as memos.services.revision_create makes it: the printed fields and the route, hashed."""
        number = memo["revision"] + 1
        content = {
            "schema": "memoflow.memo/1",
            "memo_id": str(memo_id),
            "organisation": org.name,
            "number": memo["number"],
            "date": memo["date"].isoformat(),
            "department": writer.department,
            "subject": subject,
            "addressee": memo["addressee"],
            "urgency": urgency,
            "paragraphs": body.split("\n"),
            "enclosures": [],
            "writer": {"username": writer.username, "name": writer.name},
            "writer_position": writer.seat.title,
            "route": [
                {"order": s.order, "role": s.role, "position_id": str(s.seat.id), "position": s.seat.title}
                for s in steps
            ],
            "revision": number,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        revision_id = self.ids.at(at)
        self.rows["memos_memorevision"].append(
            (revision_id, memo_id, number, canonical, digest, at, writer.person_id)
        )
        return revision_id, digest

    def _stop(
        self,
        memo_id: Any,
        memo: dict[str, Any],
        steps: list[_Step],
        current: _Step,
        outcome: str,
        at: datetime,
        where: tuple[str, str],
        process_row: list[Any],
    ) -> None:
        returned = outcome == "returned"
        reasons = text.RETURN_REASONS if returned else text.REJECT_REASONS
        current.state = StepState.RETURNED if returned else StepState.REJECTED
        current.acted_at = at
        current.reason = text.fill(self.rng.choice(reasons), self.rng)
        for step in steps:
            if step.state == StepState.WAITING:
                step.state = StepState.SKIPPED
        assert current.task is not None
        self._finish_task(current.task, at, outcome)
        if not returned:
            self._end_task(process_row[0], "rejected", at, current.task)
            process_row[1], process_row[3] = "DONE", at
        memo.update(status=MemoStatus.RETURNED if returned else MemoStatus.REJECTED, changed=at)
        self.chain.add(
            at,
            current.assignee,
            "step.returned" if returned else "step.rejected",
            "memos.memo",
            str(memo_id),
            {
                "step": current.order,
                "round": current.round,
                "position": current.seat.title,
                "capacity": current.capacity,
                "reason": current.reason,
            },
            *where,
        )

    def _withdraw(
        self,
        memo_id: Any,
        memo: dict[str, Any],
        steps: list[_Step],
        writer: Writer,
        at: datetime,
        process_row: list[Any],
        open_task: int | None,
    ) -> None:
        for step in steps:
            if step.state in (StepState.WAITING, StepState.ACTIVE):
                step.state = StepState.SKIPPED
        if open_task is not None:
            self._finish_task(open_task, at, None, status="CANCELED")
        process_row[1], process_row[3] = "CANCELED", at
        memo.update(status=MemoStatus.WITHDRAWN, changed=at)
        reason = self.rng.choice(text.WITHDRAW_REASONS)
        self.chain.add(
            at,
            writer.person_id,
            "memo.withdrawn",
            "memos.memo",
            str(memo_id),
            {"number": memo["number"], "reason": reason},
        )

    def _archive(
        self, memo_id: Any, memo: dict[str, Any], revision: tuple[Any, str], completed: datetime
    ) -> None:
        """The archive job runs a few minutes after completion. Rows only: no file is written (see
        docs/performance.md), so archive_check reports these files missing."""
        at = completed + timedelta(seconds=self.rng.randrange(30, 600))
        if at > self.end:
            return
        digest = hashlib.sha256(f"{memo_id}:{revision[1]}".encode()).hexdigest()
        name = f"{bangkok_date(completed).year + 543}/{memo_id}-{digest[:16]}.pdf"
        memo.update(status=MemoStatus.ARCHIVED, changed=at, archive=(name, digest, at))
        self.chain.add(
            at,
            None,
            "memo.archived",
            "memos.memo",
            str(memo_id),
            {
                "file": name,
                "sha256": digest,
                "bytes": self.rng.randrange(60_000, 900_000),
                "pdfa": True,
                "certificate": None,
            },
        )

    def _flush_steps(self, memo_id: Any, steps: list[_Step]) -> None:
        rows = self.rows["workflow_routestep"]
        for step in steps:
            rows.append(step.row(memo_id))

    def _finish(
        self,
        memo_id: Any,
        org: Org,
        writer: Writer,
        subject: str,
        body: str,
        urgency: str,
        created: datetime,
        memo: dict[str, Any],
        steps: list[_Step],
    ) -> None:
        self._flush_steps(memo_id, steps)
        archive_file, archive_sha256, archived_at = memo["archive"]
        self.rows["memos_memo"].append(
            (
                memo_id,
                org.id,
                writer.person_id,
                writer.seat.id,
                writer.unit.id,
                writer.department,
                memo["number"],
                memo["register_year"],
                memo["sequence"],
                memo["register"],
                memo["date"],
                subject,
                memo["addressee"],
                body,
                urgency,
                memo["status"],
                memo["revision"],
                memo["current_revision"],
                memo["process"],
                created,
                memo["changed"],
                memo["changed"],
                archive_file,
                archive_sha256,
                archived_at,
                "",
                "",
                "",  # not classified
            )
        )
        statuses = self.counters.statuses
        statuses[memo["status"]] = statuses.get(memo["status"], 0) + 1


def creation_times(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """`count` creation times between `start` and `end`, sorted, more of them recently (a deployment that
    grows), in office hours on weekdays (Bangkok)."""
    span = (end - start).total_seconds() / DAY
    days = sorted(span * (rng.random() ** 0.6) for _ in range(count))
    result = []
    for offset in days:
        moment = start + timedelta(days=int(offset))
        local = (moment + timedelta(hours=7)).date()
        if local.weekday() >= 5:  # a weekend: the Friday before
            moment -= timedelta(days=local.weekday() - 4)
        hour = 8.5 + 8 * (offset - int(offset))  # 08:30-16:30 Bangkok
        day_start = datetime.combine(_bangkok_day(moment), datetime.min.time(), tzinfo=start.tzinfo)
        result.append(min(day_start + timedelta(hours=hour - 7), end - timedelta(minutes=1)))
    result.sort()
    return result


def _bangkok_day(moment: datetime) -> date:
    return (moment + timedelta(hours=7)).date()

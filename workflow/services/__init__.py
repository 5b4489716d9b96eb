"""Every write of the routing, one service each, owning its transaction, its lock and its audit event.

Modules, one per concern:
- `_common`: the service's durable transaction and its locks (process row, memo row), the step-up password
  check, the audit helper, the reason check;
- `_flow`: resolving a step's signatory, activating a step, driving viewflow's tasks from code;
- `routes`: the route a new memo starts with, route checks, route templates;
- `drafting`: create and edit a draft, its route and its enclosures (attach, replace, remove);
- `submission`: submit (and resubmit) and withdraw;
- `steps`: approve, return, reject;
- `reassignment`: an administrator's reassignment of a step;
- `archiving`: the completed memo's archive copy;
- `phrases`: opinion phrases;
- `access`: views and downloads of a memo's files, in the audit log;
- `signing_failures`: a refused signing attempt, in the audit log after its transaction rolled back.

Callers use `from workflow import services` and `services.<name>(...)`. To patch a helper in a test, patch
it where it is used (e.g. `workflow.services.submission._audit`).
"""

from workflow.services._common import MAX_OPINION, MAX_ROUTE_STEPS
from workflow.services.access import memo_download_record
from workflow.services.archiving import memo_archive
from workflow.services.drafting import (
    enclosure_add,
    enclosure_add_table,
    enclosure_remove,
    enclosure_replace,
    memo_create,
    memo_route_set,
    memo_update,
)
from workflow.services.phrases import opinion_phrase_delete, opinion_phrase_save, opinion_phrases_ensure
from workflow.services.reassignment import step_reassign
from workflow.services.routes import PlannedStep, route_plan_for, route_template_delete, route_template_save
from workflow.services.steps import step_approve, step_reject, step_return
from workflow.services.submission import memo_submit, memo_withdraw

__all__ = [
    "MAX_OPINION",
    "MAX_ROUTE_STEPS",
    "PlannedStep",
    "enclosure_add",
    "enclosure_add_table",
    "enclosure_remove",
    "enclosure_replace",
    "memo_archive",
    "memo_create",
    "memo_download_record",
    "memo_route_set",
    "memo_submit",
    "memo_update",
    "memo_withdraw",
    "opinion_phrase_delete",
    "opinion_phrase_save",
    "opinion_phrases_ensure",
    "route_plan_for",
    "route_template_delete",
    "route_template_save",
    "step_approve",
    "step_reassign",
    "step_reject",
    "step_return",
]

"""The search documents written before white space was collapsed (workflow.search.normalise): each run of line
breaks, tabs and spaces becomes one space, so that a phrase typed on one line finds the words on either side of a
line break. Only documents that hold such a run are rewritten; the others are left as they are."""

from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import F, Q

from workflow.search import WHITE_SPACE, normalised_expression


def collapse(apps, schema_editor):
    search_model = apps.get_model("workflow", "MemoSearch")
    spaced = reduce(or_, (Q(document__contains=c) for c in [*WHITE_SPACE, "  "]))
    search_model.objects.filter(spaced).update(document=normalised_expression(F("document")))


class Migration(migrations.Migration):
    dependencies = [("workflow", "0011_step_notice")]

    operations = [migrations.RunPython(collapse, migrations.RunPython.noop, elidable=True)]

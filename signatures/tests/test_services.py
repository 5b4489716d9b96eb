"""Enrolling and withdrawing a signature image: the history is kept, the image in force follows time, the file is
stored once by its content, and the rows cannot be changed afterwards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.append_only import AppendOnlyError
from core.errors import ValidationFailed
from core.models import AuditEvent
from signatures import services
from signatures.models import SignatureImage
from signatures.selectors import signature_image_in_force
from signatures.tests.builders import drawn_png, transparent_png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_enrolling_stores_the_cleaned_png_by_its_content(person, media_root):
    nat = person("nat")
    image = services.signature_image_enrol(person=nat, content=drawn_png())
    stored = (media_root / image.file.name).read_bytes()
    assert stored.startswith(b"\x89PNG")
    assert image.file.name.endswith(f"{image.sha256}.png")
    assert image.size == len(stored)
    assert signature_image_in_force(person=nat) == image
    assert AuditEvent.objects.filter(action="signature_image.enrolled", object_id=str(image.pk)).exists()


def test_a_new_enrolment_replaces_the_image_from_now_on_and_keeps_the_old_one_for_earlier_times(person):
    nat = person("nat")
    first = services.signature_image_enrol(person=nat, content=drawn_png())
    between = timezone.now()
    second = services.signature_image_enrol(person=nat, content=transparent_png())
    assert first.sha256 != second.sha256
    assert signature_image_in_force(person=nat) == second
    assert signature_image_in_force(person=nat, at=between) == first
    assert signature_image_in_force(person=nat, at=first.created_at - timedelta(microseconds=1)) is None
    assert first.file.storage.exists(first.file.name)  # earlier memos still print it


def test_withdrawing_leaves_no_image_in_force_from_then_on(person):
    nat = person("nat")
    image = services.signature_image_enrol(person=nat, content=drawn_png())
    before = timezone.now()
    services.signature_image_withdraw(person=nat)
    assert signature_image_in_force(person=nat) is None
    assert signature_image_in_force(person=nat, at=before) == image


def test_the_same_image_twice_is_one_file(person):
    nat, yutthana = person("nat"), person("yutthana")
    first = services.signature_image_enrol(person=nat, content=drawn_png())
    second = services.signature_image_enrol(person=yutthana, content=drawn_png())
    assert first.file.name == second.file.name
    assert signature_image_in_force(person=yutthana) == second
    assert signature_image_in_force(person=nat) == first


def test_a_refused_image_changes_nothing(person):
    nat = person("nat")
    image = services.signature_image_enrol(person=nat, content=drawn_png())
    with pytest.raises(ValidationFailed):
        services.signature_image_enrol(person=nat, content=b"not an image")
    assert signature_image_in_force(person=nat) == image
    assert SignatureImage.objects.count() == 1


def test_enrolments_are_never_changed_or_deleted(person):
    image = services.signature_image_enrol(person=person("nat"), content=drawn_png())
    with pytest.raises(AppendOnlyError):
        image.save()
    with pytest.raises(AppendOnlyError):
        SignatureImage.objects.filter(pk=image.pk).update(sha256="0" * 64)

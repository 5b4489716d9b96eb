"""The seed's route through the API: rujapa writes, ratchawari (acting) co-signs, nat gives an opinion, yutthana
decides; a return-and-resubmit cycle; a vacancy; the queues."""

import pytest

from core.models import AuditEvent
from memos.models import Memo
from org.demo import DEMO_PASSWORD
from signatures.models import Signature
from tests.builders import png_bytes

pytestmark = pytest.mark.django_db

SUBJECT = (
    "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในองค์การบริหารส่วนตำบลหนองโสน ประจำปีงบประมาณ พ.ศ.๒๕๖๖"
)
BODY = "ตามที่ได้ดำเนินการวิเคราะห์ผลการประเมินคุณธรรม...\nจึงเรียนมาเพื่อโปรดทราบ"


def create_memo(client, **extra):
    response = client.post("/api/v1/memos/", {"subject": SUBJECT, "body": BODY, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def active_task(client):
    tasks = client.get("/api/v1/tasks/").json()["results"]
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_seed_route_through_the_api(api_as):
    rujapa, ratchawari, nat, yutthana = (api_as(u) for u in ("rujapa", "ratchawari", "nat", "yutthana"))
    memo = create_memo(rujapa)
    assert memo["status"] == "draft"
    assert memo["number"] == ""
    assert memo["addressee"] == "นายกองค์การบริหารส่วนตำบลหนองโสน"
    assert memo["department"] == "งานประชาสัมพันธ์ สำนักปลัด องค์การบริหารส่วนตำบลหนองโสน โทร. ๐-๓๒๔๐-๐๐๕๒"
    assert [(s["order"], s["role"], s["position"]["title"]) for s in memo["route"]] == [
        (0, "writer", "ผู้ช่วยนักประชาสัมพันธ์"),
        (1, "cosign", "หัวหน้าสำนักปลัด"),
        (2, "opinion", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
        (3, "decision", "นายกองค์การบริหารส่วนตำบลหนองโสน"),
    ]
    url = f"/api/v1/memos/{memo['id']}/"

    submitted = rujapa.post(url + "submit/", {"password": DEMO_PASSWORD}, format="json")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "in_review"
    assert body["number"].startswith("พบ ๓๒๘๐๑/")
    assert body["revision"] == 1
    assert body["current_step"] == 1
    cosign = body["route"][1]
    assert cosign["assignee"] == {"username": "ratchawari", "full_name": "นางราชวรี อนุกุล"}
    assert cosign["capacity"] == "รักษาการแทน"
    assert cosign["state"] == "active"

    task = active_task(ratchawari)
    assert task["memo"]["number"] == body["number"]
    assert task["role"] == "cosign"
    assert rujapa.get("/api/v1/tasks/").json()["results"] == []
    approved = ratchawari.post(
        f"/api/v1/tasks/{task['id']}/approve/", {"password": DEMO_PASSWORD}, format="json"
    )
    assert approved.status_code == 200, approved.content

    task = active_task(nat)
    response = nat.post(
        f"/api/v1/tasks/{task['id']}/approve/",
        {"password": DEMO_PASSWORD, "opinion": "เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ"},
        format="json",
    )
    assert response.status_code == 200, response.content

    task = active_task(yutthana)
    assert task["role"] == "decision"
    response = yutthana.post(
        f"/api/v1/tasks/{task['id']}/approve/",
        {"password": DEMO_PASSWORD, "opinion": "", "decision": "acknowledged"},
        format="json",
    )
    assert response.status_code == 200, response.content

    final = rujapa.get(url).json()
    assert final["status"] == "completed"
    assert final["current_step"] is None
    assert [s["state"] for s in final["route"]] == ["signed"] * 4
    assert final["route"][2]["opinion"] == "เห็นควรเสนอนายก อบต. เพื่อโปรดทราบ"
    assert final["route"][3]["decision"] == "acknowledged"
    assert all(s["signed_at"] for s in final["route"])

    signatures = Signature.objects.filter(memo_id=memo["id"]).order_by("signed_at")
    assert [(s.signer.username, s.capacity, s.position.title) for s in signatures] == [
        ("rujapa", "", "ผู้ช่วยนักประชาสัมพันธ์"),
        ("ratchawari", "รักษาการแทน", "หัวหน้าสำนักปลัด"),
        ("nat", "", "ปลัดองค์การบริหารส่วนตำบลหนองโสน"),
        ("yutthana", "", "นายกองค์การบริหารส่วนตำบลหนองโสน"),
    ]
    revision = Memo.objects.get(pk=memo["id"]).current_revision
    assert revision is not None
    assert {s.revision_sha256 for s in signatures} == {revision.sha256}
    actions = list(
        AuditEvent.objects.filter(object_id=memo["id"])
        .order_by("at")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("memo.created", "rujapa"),
        ("memo.submitted", "rujapa"),
        ("step.approved", "ratchawari"),
        ("step.approved", "nat"),
        ("step.approved", "yutthana"),
    ]


def test_history_shows_every_round_with_signer_position_and_capacity(api_as):
    rujapa, ratchawari, nat = api_as("rujapa"), api_as("ratchawari"), api_as("nat")
    memo = create_memo(rujapa)
    url = f"/api/v1/memos/{memo['id']}/"
    rujapa.post(url + "submit/", {"password": DEMO_PASSWORD}, format="json")
    ratchawari.post(
        f"/api/v1/tasks/{active_task(ratchawari)['id']}/approve/", {"password": DEMO_PASSWORD}, format="json"
    )
    nat.post(
        f"/api/v1/tasks/{active_task(nat)['id']}/return/",
        {"password": DEMO_PASSWORD, "reason": "ขอให้แนบรายงาน"},
        format="json",
    )
    history = api_as("auditor").get(url + "history/").json()
    first_round = [s for s in history["steps"] if s["round"] == 1]
    assert [(s["order"], s["state"]) for s in first_round] == [
        (0, "signed"),
        (1, "signed"),
        (2, "returned"),
        (3, "skipped"),
    ]
    cosign = first_round[1]["signature"]
    assert (cosign["signer"], cosign["position"], cosign["capacity"], cosign["revision"]) == (
        "ratchawari",
        "หัวหน้าสำนักปลัด",
        "รักษาการแทน",
        1,
    )
    assert first_round[2]["reason"] == "ขอให้แนบรายงาน"
    assert [e["action"] for e in history["events"]] == [
        "memo.created",
        "memo.submitted",
        "step.approved",
        "step.returned",
    ]
    assert history["events"][-1]["data"]["position"] == "ปลัดองค์การบริหารส่วนตำบลหนองโสน"


def test_people_not_involved_get_404_for_memo_history_and_attachments(api_as, media_root):
    import io

    rujapa = api_as("rujapa")
    memo = create_memo(rujapa)
    png = io.BytesIO(png_bytes((20, 10)))
    png.name = "แผนผัง.png"
    attached = rujapa.post(f"/api/v1/memos/{memo['id']}/attachments/", {"file": png, "title": "แผนผัง"})
    assert attached.status_code == 201, attached.content
    file_url = f"/api/v1/memos/{memo['id']}/attachments/{attached.json()['id']}/"
    download = rujapa.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")

    outsider = api_as("works_staff")
    for path in ("", "history/", f"attachments/{attached.json()['id']}/"):
        assert outsider.get(f"/api/v1/memos/{memo['id']}/{path}").status_code == 404, path
    assert api_as("auditor").get(file_url).status_code == 200


def test_where_people_signed_from_is_shown_to_auditors_and_administrators_only(api_as):
    """The history's events carry the address and browser of each action: an auditor (and an administrator)
    sees them; a colleague on the route, even the writer, sees the events without them."""
    rujapa, ratchawari = api_as("rujapa"), api_as("ratchawari")
    memo = create_memo(rujapa)
    url = f"/api/v1/memos/{memo['id']}/"
    rujapa.post(
        url + "submit/", {"password": DEMO_PASSWORD}, format="json", HTTP_USER_AGENT="Firefox/140 (rujapa)"
    )
    recorded = AuditEvent.objects.get(action="memo.submitted", object_id=memo["id"])
    assert (recorded.ip_address, recorded.user_agent) == ("127.0.0.1", "Firefox/140 (rujapa)")

    def submitted(client):
        events = client.get(url + "history/").json()["events"]
        return next(e for e in events if e["action"] == "memo.submitted")

    seen_by_auditor = submitted(api_as("auditor"))
    assert (seen_by_auditor["ip_address"], seen_by_auditor["user_agent"]) == (
        "127.0.0.1",
        "Firefox/140 (rujapa)",
    )
    for colleague in (rujapa, ratchawari):
        seen = submitted(colleague)
        assert seen["actor"] == seen_by_auditor["actor"]  # the event itself is there
        assert not seen["ip_address"]
        assert not seen["user_agent"]

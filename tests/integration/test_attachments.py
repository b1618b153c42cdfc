"""Evidence on a case (services.attachments, views.attachments): each allowed kind, each
refused kind leaving nothing stored, the SHA-256 checked on every download with a tampered
file raising the alarm, identity-level access, the access log, the thumbnail without
location metadata, withdrawal (never deletion) and the signed scan next to the print view.
"""

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog, Attachment, Event, Jurisdiction, Notification
from caseflow.services import attachments, cases
from caseflow.services.errors import Forbidden, InvalidTransitionError, ValidationFailed
from tests.conftest import api_token, login, user
from tests.integration import attachment_files as files

CHENGNAN = "500240001001"  # 城南社区, 南宾街道 — child_director's village


def report():
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == CHENGNAN))
    case = cases.create_case(
        user("child_director"),
        "mandatory_report",
        {
            "jurisdiction_id": place.id,
            "intake_org_id": None,
            "reporter_org_type": "village_committee",
            "discovered_at": timeutil.now() - timedelta(hours=2),
            "situation_codes": [],
            "ongoing_danger": False,
            "guardian_is_suspect": False,
            "child_safety": "unknown",
            "urgent": False,
            "description": "入户走访时发现儿童身上有多处淤青。",
            "subject": {"name": "冉小雨", "sex": "F", "birth_date": None, "id_number": None,
                        "phone": None, "address": None, "school": None},
            "reporter": {"name": "谭春梅", "phone": "13800000001"},
        },
    )  # fmt: skip
    db.session.commit()
    return case


def add(case, data, filename, declared=None, who="child_director", kind="photo", **extra):
    return attachments.add(
        case,
        user(who),
        kind=kind,
        description=extra.get("description", "左臂淤青"),
        acted_on=extra.get("acted_on"),
        filename=filename,
        declared_type=declared,
        data=data,
    )


def stored_files() -> list[Path]:
    root = attachments.storage_dir()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    """A storage directory of this test's own, so 'nothing stored' can be seen."""
    before = app.config["STORAGE_DIR"]
    app.config["STORAGE_DIR"] = str(tmp_path / "storage")
    yield Path(app.config["STORAGE_DIR"])
    app.config["STORAGE_DIR"] = before


@pytest.fixture
def case(ctx):
    return report()


ALLOWED = [
    (files.jpeg, "伤情.jpg", "image/jpeg", "image/jpeg"),
    (files.png, "screenshot.png", "image/png", "image/png"),
    (files.pdf, "病历.pdf", "application/pdf", "application/pdf"),
    (files.mp3, "录音.mp3", "audio/mpeg", "audio/mpeg"),
    (files.wav, "call.wav", "audio/wav", "audio/wav"),
    (files.ogg, "voice.ogg", "audio/ogg", "audio/ogg"),
    (lambda: files.mp4(b"M4A "), "memo.m4a", "audio/mp4", "audio/mp4"),
    (files.mp4, "video.mp4", "video/mp4", "video/mp4"),
    (lambda: files.mp4(b"qt  "), "IMG_0001.MOV", "video/quicktime", "video/quicktime"),
    (lambda: files.mp4(b"3gp4"), "clip.3gp", "video/3gpp", "video/3gpp"),
    (files.webm, "clip.webm", "video/webm", "video/webm"),
]


@pytest.mark.parametrize(("make", "name", "declared", "expected"), ALLOWED)
def test_each_allowed_kind_is_stored_under_its_hash(case, make, name, declared, expected):
    data = make()
    attachment = add(case, data, name, declared)
    db.session.commit()
    assert attachment.content_type == expected
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachments.stored_path(attachment.sha256).read_bytes() == data
    assert (attachment.thumbnail_sha256 is not None) == expected.startswith("image/")
    assert case.events[-1].trigger == "attachment_added"
    assert case.events[-1].data["attachment_id"] == attachment.id


def test_the_type_comes_from_the_bytes_not_the_name_or_a_missing_declaration(case):
    attachment = add(case, files.png(), "photo", "application/octet-stream")
    assert attachment.content_type == "image/png"


REFUSED = [
    ("wrong bytes: a PNG named .jpg", files.png, "photo.jpg", "image/jpeg"),
    ("wrong declared type", files.pdf, "scan.pdf", "image/jpeg"),
    ("SVG with a script", lambda: files.SVG_WITH_SCRIPT, "injury.svg", "image/svg+xml"),
    ("SVG sent as a PNG", lambda: files.SVG_WITH_SCRIPT, "injury.png", "image/png"),
    ("HTML", lambda: files.HTML_PAGE, "page.pdf", "application/pdf"),
    ("executable", lambda: files.EXECUTABLE, "photo.jpg", "image/jpeg"),
    ("archive", files.zip_archive, "evidence.zip", "application/zip"),
    ("polyglot: JPEG with a ZIP appended", lambda: files.jpeg() + files.zip_archive(), "a.jpg", "image/jpeg"),
    ("polyglot: PNG with HTML inside", lambda: files.png()[:-12] + b"<script>alert(1)</script>" + files.png()[-12:], "a.png", "image/png"),
    ("polyglot: JPEG with data after its end", lambda: files.jpeg() + b"\x01\x02trailer", "a.jpg", "image/jpeg"),
    ("PDF with JavaScript", lambda: files.pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "a.pdf", "application/pdf"),
    ("decompression bomb", files.png_bomb, "bomb.png", "image/png"),
    ("damaged image", lambda: files.jpeg()[:400] + b"\xff\xd9", "broken.jpg", "image/jpeg"),
    ("unknown kind", lambda: b"just some text\n", "notes.txt", "text/plain"),
    ("HEIC without a picture inside", lambda: files.mp4(b"heic"), "IMG_0002.HEIC", "image/heic"),
    ("AVIF", lambda: files.mp4(b"avif"), "IMG_0003.avif", "image/avif"),
    ("HEIC named as a JPEG", files.heic, "IMG_0004.jpg", "image/jpeg"),
    ("empty", lambda: b"", "empty.jpg", "image/jpeg"),
]  # fmt: skip


@pytest.mark.parametrize(("why", "make", "name", "declared"), REFUSED, ids=[r[0] for r in REFUSED])
def test_each_refused_kind_is_refused_with_a_message_and_nothing_is_stored(
    case, why, make, name, declared
):
    before = (case.version, len(case.events))
    with pytest.raises(ValidationFailed) as refused:
        add(case, make(), name, declared)
    db.session.rollback()
    assert refused.value.fields["file"]
    assert str(refused.value.fields["file"][0])
    assert count(Attachment) == 0
    assert stored_files() == []
    db.session.refresh(case)
    assert (case.version, len(case.events)) == before


def test_an_oversized_file_and_a_full_case_are_refused(case, app):
    limit = app.config["ATTACHMENT_MAX_BYTES"]
    big = files.pdf() + b"%" * (limit - len(files.pdf()) + 1)
    with pytest.raises(ValidationFailed) as refused:
        add(case, big, "huge.pdf", "application/pdf")
    assert "20" in str(refused.value.fields["file"][0])
    db.session.rollback()
    app.config["ATTACHMENT_CASE_MAX_COUNT"] = 1
    try:
        add(case, files.pdf(), "one.pdf")
        db.session.commit()
        with pytest.raises(ValidationFailed):
            add(case, files.mp3(), "two.mp3")
    finally:
        app.config["ATTACHMENT_CASE_MAX_COUNT"] = 100
    db.session.rollback()
    assert count(Attachment) == 1
    assert len(stored_files()) == 1


def test_the_thumbnail_has_no_location_and_the_original_keeps_its_bytes(case):
    original = files.jpeg(size=(1600, 1200), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(files.GPS_IFD)  # the premise
    attachment = add(case, original, "IMG_20261130.jpg", "image/jpeg")
    db.session.commit()
    assert attachments.stored_path(attachment.sha256).read_bytes() == original
    thumb = Image.open(
        io.BytesIO(attachments.stored_path(attachment.thumbnail_sha256).read_bytes())
    )
    assert max(thumb.size) <= 480
    assert len(thumb.getexif()) == 0
    assert "exif" not in thumb.info


def test_only_the_case_team_may_attach(case):
    with pytest.raises(Forbidden):
        add(case, files.pdf(), "a.pdf", who="civil_affairs")  # sees the case, not identities
    db.session.rollback()
    assert count(Attachment) == 0


def test_a_stale_version_is_refused_before_anything_else(case):
    from caseflow.services.errors import VersionConflict

    with pytest.raises(VersionConflict):
        attachments.add(
            case, user("child_director"), kind="nonsense", description="", acted_on=None,
            filename="x.exe", declared_type=None, data=files.EXECUTABLE, version=case.version - 1,
        )  # fmt: skip


def test_an_acted_on_date_in_the_future_or_an_unknown_kind_is_refused(case):
    tomorrow = timeutil.to_local(timeutil.now()).date() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as refused:
        add(case, files.pdf(), "a.pdf", kind="selfie", acted_on=tomorrow)
    assert set(refused.value.fields) == {"kind", "acted_on"}


def test_withdrawal_keeps_the_file_hides_it_and_stays_on_the_timeline(case):
    attachment = add(case, files.pdf(), "a.pdf")
    db.session.commit()
    with pytest.raises(ValidationFailed):
        attachments.withdraw(attachment, user("child_director"), "  ")
    with pytest.raises(Forbidden):
        attachments.withdraw(attachment, user("civil_affairs"), "错传")
    attachments.withdraw(attachment, user("child_director"), "上传错了案件")
    db.session.commit()
    with pytest.raises(InvalidTransitionError):
        attachments.withdraw(attachment, user("child_director"), "again")
    db.session.rollback()
    assert count(Attachment) == 1
    assert attachments.stored_path(attachment.sha256).exists()
    assert attachments.listed(user("child_director"), case) == []
    assert attachments.listed(user("police"), case) == []
    seen = attachments.listed(user("child_supervisor"), case)
    assert [a.withdraw_reason for a in seen] == ["上传错了案件"]
    assert [e.trigger for e in case.events][-2:] == ["attachment_added", "attachment_withdrawn"]


# --- downloads over HTTP -----------------------------------------------------------------


@pytest.fixture
def photo(clean):
    with clean.app_context():
        case = report()
        attachment = add(case, files.jpeg(gps=True), "伤情 照片.jpg", "image/jpeg")
        db.session.commit()
        return {"case_id": case.id, "id": attachment.id, "sha256": attachment.sha256}


def _url(photo, suffix=""):
    return f"/cases/{photo['case_id']}/attachments/{photo['id']}{suffix}"


def test_a_download_is_an_attachment_not_cached_and_logged(client, photo, clean):
    login(client, "police")  # the handling unit
    response = client.get(_url(photo))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "image/jpeg"
    assert hashlib.sha256(response.data).hexdigest() == photo["sha256"]
    thumb = client.get(_url(photo, "/thumbnail"))
    assert thumb.status_code == 200 and thumb.headers["Cache-Control"] == "no-store"
    with clean.app_context():
        rows = db.session.scalars(
            select(AccessLog).where(AccessLog.channel == "attachment").order_by(AccessLog.id)
        ).all()
        assert [(r.user_id, r.what) for r in rows] == [
            (user("police").id, f"download:{photo['id']}"),
            (user("police").id, f"thumbnail:{photo['id']}"),
        ]


def test_out_of_scope_is_404_and_in_scope_without_identity_is_403(client, photo, clean):
    login(client, "child_director_2")  # the other township
    assert client.get(_url(photo)).status_code == 404
    client.get("/logout")
    login(client, "civil_affairs")  # sees the case, not the child's identity
    assert client.get(_url(photo)).status_code == 403
    assert client.get(f"/cases/{photo['case_id']}/attachments/999999").status_code == 404
    with clean.app_context():
        assert count(AccessLog, channel="attachment") == 0


def test_a_tampered_file_is_not_served_and_raises_the_alarm_once(client, photo, clean):
    with clean.app_context():
        path = attachments.stored_path(photo["sha256"])
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    login(client, "police")
    for _attempt in range(2):
        response = client.get(_url(photo))
        assert response.status_code == 409
        assert response.data != path.read_bytes()
    with clean.app_context():
        alarms = db.session.scalars(
            select(Notification).where(Notification.kind == "integrity_alarm")
        ).all()
        people = {n.user.username for n in alarms}
        assert {"admin", "supervisor"} <= people
        assert len(alarms) == len(people)  # once each, however often it is tried
        for alarm in alarms:
            assert "冉小雨" not in alarm.subject + alarm.body
            assert "伤情" not in alarm.subject + alarm.body
        assert count(AccessLog, channel="attachment") == 0
    path.unlink()
    response = client.get(_url(photo))
    assert response.status_code == 409


def test_the_case_page_shows_the_attachment_and_the_upload_form(client, photo):
    login(client, "child_director")
    page = client.get(f"/cases/{photo['case_id']}").get_data(as_text=True)
    assert 'id="attachments"' in page
    assert _url(photo, "/thumbnail") in page
    assert 'enctype="multipart/form-data"' in page
    client.get("/logout")
    login(client, "civil_affairs")
    page = client.get(f"/cases/{photo['case_id']}").get_data(as_text=True)
    assert _url(photo) not in page


def _csrf(client, path):
    from tests.conftest import csrf_token

    return csrf_token(client, path)


def test_uploading_from_the_case_page_and_a_refusal_shown(client, clean, photo):
    login(client, "child_director")
    page = f"/cases/{photo['case_id']}"
    token = _csrf(client, page)
    response = client.post(
        f"{page}/attachments",
        data={"csrf_token": token, "kind": "medical_record", "description": "门诊病历",
              "acted_on": "2026-11-20", "file": (io.BytesIO(files.pdf()), "病历.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        f"{page}/attachments",
        data={"csrf_token": token, "kind": "photo",
              "file": (io.BytesIO(files.SVG_WITH_SCRIPT), "a.svg", "image/svg+xml")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 422
    assert "SVG" in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Attachment) == 2


def test_a_file_over_the_request_limit_is_413_and_nothing_is_stored(client, clean, photo):
    login(client, "child_director")
    page = f"/cases/{photo['case_id']}"
    token = _csrf(client, page)
    big = files.pdf() + b"%" * (clean.config["ATTACHMENT_MAX_BYTES"] + 300 * 1024)
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=f"{page}/attachments",
        method="POST",
        data={"csrf_token": token, "kind": "other", "file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:  # the test client spools a large body to a temporary file: closed here
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    with clean.app_context():
        assert count(Attachment) == 1
        assert len(stored_files()) == 2  # the photo and its thumbnail


# --- API ---------------------------------------------------------------------------------


def test_the_api_uploads_lists_downloads_and_withdraws(client, clean, photo):
    headers = api_token(client, "police")
    base = f"/api/v1/cases/{photo['case_id']}/attachments"
    response = client.post(
        base,
        headers=headers,
        data={"kind": "police_record", "description": "出警记录", "acted_on": "2026-11-20",
              "file": (io.BytesIO(files.pdf()), "出警记录.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["content_type"] == "application/pdf"
    assert created["sha256"] == hashlib.sha256(files.pdf()).hexdigest()
    listing = client.get(base, headers=headers).get_json()["items"]
    assert [a["id"] for a in listing] == [photo["id"], created["id"]]
    download = client.get(created["download"], headers=headers)
    assert download.status_code == 200 and download.data == files.pdf()
    assert download.headers["Content-Disposition"].startswith("attachment;")
    refused = client.post(
        base,
        headers=headers,
        data={"kind": "photo", "file": (io.BytesIO(files.zip_archive()), "a.zip")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["file"]
    bad_date = client.post(
        base,
        headers=headers,
        data={"kind": "photo", "acted_on": "yesterday", "file": (io.BytesIO(files.png()), "a.png")},
        content_type="multipart/form-data",
    )
    assert bad_date.status_code == 422
    no_file = client.post(base, headers=headers, data={"kind": "photo"})
    assert no_file.status_code == 422
    withdrawn = client.post(
        f"{base}/{created['id']}/withdraw", headers=headers, json={"reason": "重复上传"}
    )
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn"] is True
    assert client.get(created["download"], headers=headers).status_code == 404
    typed = client.post(f"{base}/{photo['id']}/withdraw", headers=headers, json={"reason": 3})
    assert typed.status_code == 422
    other = api_token(client, "child_director_2")
    assert client.get(base, headers=other).status_code == 404
    assert client.get(created["download"], headers=other).status_code == 404
    with clean.app_context():
        assert count(AccessLog, channel="attachment") == 1
        assert count(Event, trigger="attachment_withdrawn") == 1


def test_the_openapi_document_names_the_attachment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/cases/{case_id}/attachments"]
    assert "get" in paths["/api/v1/cases/{case_id}/attachments"]
    assert "get" in paths["/api/v1/cases/{case_id}/attachments/{attachment_id}"]
    assert "post" in paths["/api/v1/cases/{case_id}/attachments/{attachment_id}/withdraw"]


def test_a_heic_photo_is_kept_as_uploaded_with_a_jpeg_thumbnail_without_gps(case):
    data = files.heic(gps=True)
    attachment = add(case, data, "IMG_0001.HEIC", "image/heic")
    db.session.commit()
    assert attachment.content_type == "image/heic"
    assert attachments.read_verified(attachment) == data  # the original, byte for byte
    thumb = attachments.read_verified(attachment, thumbnail_only=True)
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    # Sent as application/octet-stream, the bytes still decide.
    again = add(case, files.heic(size=(64, 64)), "photo.heic", "application/octet-stream")
    assert again.content_type == "image/heic"

"""The workbook export through the pages: start, poll, download; who may see a job."""

import time
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.indicators import exports
from caseflow.models import ExportJob, Plan
from tests.conftest import csrf_token, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Plan.id).where(Plan.code == code))


def job_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ExportJob))


def start(client, **over):
    token = csrf_token(client, "/indicators/export")
    data = {"csrf_token": token, "year": "2025", "jurisdiction": "500240", **over}
    return client.post("/indicators/export", data=data)


def wait_until_done(client, url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        state = client.get(url).get_json()
        if state["status"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def test_export_start_poll_download(client, clean):
    login(client, "statistician")
    page = client.get("/indicators/export")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="plan"' in html and 'name="year"' in html

    women = plan_id(clean, "500240-women-2021")
    response = start(client, plan=[str(women)])
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert job_url.startswith("/indicators/export/")

    page = client.get(job_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="export-progress"' in html and "js/export.js" in html
    assert "/status" in html  # the script's URL, and a reload link without it

    # Queued: no web process builds it; without a scheduler the page says it waits.
    state = client.get(job_url + "/status").get_json()
    assert state["status"] == "queued" and state["waiting"] is True
    assert 'id="export-waiting"' in html
    # The scheduler's `exports` job takes it.
    assert exports.run_pending(clean) == 1
    state = wait_until_done(client, job_url + "/status")
    assert state["status"] == "done", state
    assert state["waiting"] is False
    assert state["percent"] == 100 and state["done"] == state["total"]
    assert state["download_url"] == job_url + "/download"
    assert state["error"] is None

    # The finished page works without the script: the link is there.
    html = client.get(job_url).get_data(as_text=True)
    assert job_url + "/download" in html

    download = client.get(state["download_url"])
    assert download.status_code == 200
    assert download.mimetype == XLSX
    disposition = download.headers["Content-Disposition"]
    name = "石柱土家族自治县2025年度监测报表.xlsx"
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert 'filename="monitoring-500240-2025.xlsx"' in disposition
    book = load_workbook(BytesIO(download.data))
    assert book.sheetnames[0] == "妇女与法律"
    assert book["妇女与法律"]["C4"].value == "女性检察官占比"

    # Another reader of the same county does not see this job.
    other = clean.test_client()
    login(other, "supervisor")
    for suffix in ("", "/status", "/download"):
        assert other.get(job_url + suffix).status_code == 404
    assert other.get("/indicators/export/999999").status_code == 404


def test_roles_that_cannot_read_indicators_get_403(client, clean):
    login(client, "police")
    assert client.get("/indicators/export").status_code == 403
    token = csrf_token(client, "/indicators/export")  # the nav's logout form has one
    response = client.post(
        "/indicators/export", data={"csrf_token": token, "year": "2025", "jurisdiction": "500240"}
    )
    assert response.status_code == 403
    assert job_count(clean) == 0


def test_bad_input_is_refused_and_creates_nothing(client, clean):
    login(client, "statistician")
    response = start(client, year="20x5")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is-invalid" in html and 'id="export-form"' in html

    response = start(client, year="2099")
    assert response.status_code == 422
    response = start(client, jurisdiction="999999")
    assert response.status_code == 404
    response = start(client, jurisdiction="500101")  # another county
    assert response.status_code == 403
    response = start(client, plan=["x" * 500])
    assert response.status_code == 404
    response = start(client, plan=[str(plan_id(clean, "500101-women-2021"))])
    assert response.status_code == 422
    assert job_count(clean) == 0

    # Without a CSRF token: refused too.
    response = client.post("/indicators/export", data={"year": "2025"})
    assert response.status_code == 400
    assert job_count(clean) == 0

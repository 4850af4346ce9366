"""Importing files: the real Customer Support on Twitter sample, generic CSV and JSON,
bad files, big files, and the background import with its progress page."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from webtest import Upload

from app.complaints import importers
from app.complaints.models import Complaint, ImportJob, ImportRowIssue, ImportStatus
from app.extensions import db
from tests.fixtures.app import T0, twcs_sample
from tests.fixtures.web import main_form, web_login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def count(app, model=Complaint) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def cli_import(app, path, *extra):
    return app.test_cli_runner().invoke(args=["complaints", "import", str(path), *extra])


#: Rows of the real sample imported (of 5,000): every kind of tweet it has, in a third of
#: the time (each customer tweet is analysed on the way in).
SAMPLE_ROWS = 1_500


def test_the_real_twitter_sample_imports_its_customer_tweets_once(app, tmp_path):
    """On SQLite: re-import on PostgreSQL's constraints is the many-batches test's."""
    path, rows = twcs_sample(tmp_path, SAMPLE_ROWS)
    customers = sum(row["inbound"] == "True" for row in rows)
    assert 500 < customers < SAMPLE_ROWS
    first = cli_import(app, path)
    assert first.exit_code == 0, first.output
    assert f"imported:             {customers}\n" in first.output
    assert f"not complaints:       {SAMPLE_ROWS - customers} (brand replies" in first.output
    second = cli_import(app, path)
    assert "imported:             0\n" in second.output
    assert f"skipped as duplicate: {customers}\n" in second.output
    assert count(app) == customers
    with app.app_context():
        complaint = db.session.scalar(sa.select(Complaint).order_by(Complaint.id).limit(1))
        assert complaint.channel_key == "x"
        assert complaint.source == "twcs"
        assert complaint.response_due_at - complaint.received_at == timedelta(hours=1)


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_missing_columns_are_named(app, tmp_path):
    path = write(tmp_path, "t.csv", "tweet_id,inbound,text\n1,True,hello\n")
    result = cli_import(app, path)
    assert result.exit_code == 1
    assert "the columns author_id, created_at are missing" in result.output
    path = write(tmp_path, "g.csv", "who,what\nme,hello\n")
    result = cli_import(app, path)
    assert "The file has no text column" in result.output
    assert count(app) == 0


def test_a_windows_1252_file_is_explained_then_imported_with_its_encoding(app, tmp_path):
    content = "text,channel,external_id\nCaf\u00e9 order wrong \u2013 again,x,1\n"
    path = write(tmp_path, "w.csv", content.encode("cp1252"))
    result = cli_import(app, path)
    assert result.exit_code == 1
    assert "The file is not valid UTF-8: byte 0xe9 on line 2" in result.output
    assert "choose its encoding" in result.output
    result = cli_import(app, path, "--encoding", "cp1252")
    assert "imported:             1" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Complaint.text)) == "Caf\u00e9 order wrong \u2013 again"


def test_each_rejected_row_gets_its_reason(app, tmp_path):
    rows = [
        "text,channel,received_at,url",
        "fine complaint,x,2026-11-23T08:00:00Z,",
        ",x,,",
        "bad time,x,yesterday-ish,",
        "no channel,,,",
        "bad link,facebook,,ftp://example.com",
        "fine complaint,x,2026-11-23T08:00:00Z,",
        '"too, many",x,,,extra',
    ]
    result = cli_import(app, write(tmp_path, "r.csv", "\n".join(rows) + "\n"))
    assert "imported:             1" in result.output
    assert "skipped as duplicate: 1" in result.output
    assert "rejected:             5" in result.output
    with app.app_context():
        issues = {i.row_number: i.reason for i in db.session.scalars(sa.select(ImportRowIssue))}
    assert issues == {
        3: "text: The complaint text is empty.",
        4: "received_at: cannot read the time 'yesterday-ish'",
        5: "channel: Choose a channel.",
        6: "url: The link must start with http:// or https://.",
        7: "same complaint as row 2 of this file",
        8: "the row has more cells than the header has columns",
    }


def test_json_and_json_lines(app, tmp_path):
    document = {
        "complaints": [
            {
                "text": "Charged twice",
                "channel": "email",
                "author_handle": "a@example.com",
                "received_at": "2026-11-22T10:00:00+01:00",
                "id": 7,
            },
            {"text": "  ", "channel": "email"},
            "not an object",
        ]
    }
    result = cli_import(app, write(tmp_path, "c.json", json.dumps(document)))
    assert "imported:             1" in result.output
    assert "rejected:             2" in result.output
    lines = (
        '{"text": "App down", "channel": "x"}\n{broken\n{"text": "Still down", "channel": "x"}\n'
    )
    result = cli_import(app, write(tmp_path, "c.jsonl", lines))
    assert "imported:             2" in result.output
    assert "row 2: not valid JSON" in result.output
    result = cli_import(app, write(tmp_path, "bad.json", '[{"text": "x"'))
    assert result.exit_code == 1
    assert "The JSON cannot be read" in result.output


def test_empty_and_header_only_files(app, tmp_path):
    assert "The file is empty." in cli_import(app, write(tmp_path, "e.csv", "")).output
    result = cli_import(app, write(tmp_path, "h.csv", "text,channel\n"))
    assert "The file has a header but no rows." in result.output


@BOTH
def test_many_batches_import_and_reimport_without_duplicates(app, tmp_path):
    """Five full batches and a part one, then all of it again; 100,000 rows in batches of
    a thousand are timed by bench/import_large.py (about two minutes here, too long for
    every test run)."""
    app.config["IMPORT_BATCH_SIZE"] = 100
    lines = ["external_id,channel,text,received_at"]
    lines += [
        f"{n},x,Complaint number {n} about order NW-{n},2026-11-20T10:00:00Z" for n in range(550)
    ]
    path = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    result = cli_import(app, path)
    assert "imported:             550" in result.output, result.output
    result = cli_import(app, path)
    assert "skipped as duplicate: 550" in result.output
    assert count(app) == 550


def test_the_format_is_recognised():
    assert importers.detect_format("x.csv", "tweet_id,author_id,inbound\n") == "twcs"
    assert importers.detect_format("x.csv", "text,channel\n") == "csv"
    assert importers.detect_format("x.txt", '[{"text": 1}]') == "json"
    assert (
        importers.parse_time("Tue Oct 31 22:10:47 +0000 2017").isoformat()
        == "2017-10-31T22:10:47+00:00"
    )


def test_upload_runs_in_the_background_and_shows_progress(app, users, web, tmp_path):
    app.config["IMPORTS_IN_BACKGROUND"] = True
    app.config["IMPORT_BATCH_SIZE"] = 100
    web_login(web, users["agent"].email)
    lines = ["text,channel"] + [f"Complaint {n},dm" for n in range(1500)] + [",dm"]
    form = main_form(web.get("/imports"))
    form["file"] = Upload("complaints.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    response = form.submit()
    assert response.status_code == 302  # the request returns at once; the job runs on
    job_page = response.follow()
    assert "Import #1" in job_page.text
    deadline = time.monotonic() + 30
    progress = web.get("/imports/1/progress").json
    while not progress["finished"] and time.monotonic() < deadline:
        time.sleep(0.05)
        progress = web.get("/imports/1/progress").json
    assert progress["status"] == "done", progress
    assert progress["imported"] == 1500
    assert progress["rejected"] == 1
    assert progress["percent"] == 100
    page = web.get("/imports/1")
    assert "Rows not imported (1)" in page.text
    assert "The complaint text is empty." in page.text
    report = web.get("/imports/1/issues.csv")
    assert report.text.splitlines() == [
        "row,outcome,reason",
        "1502,rejected,text: The complaint text is empty.",
    ]


def test_a_bad_upload_is_explained_on_the_form(app, users, web):
    web_login(web, users["agent"].email)
    form = main_form(web.get("/imports"))
    form["file"] = Upload("empty.csv", b"   ", "text/csv")
    response = form.submit(status=400)
    assert "The file is empty." in response.text
    form = main_form(web.get("/imports"))
    response = form.submit(status=400)
    assert "Choose a file to import." in response.text
    assert count(app, ImportJob) == 0


def test_a_file_failing_in_the_background_is_reported_not_lost(app, users, web):
    web_login(web, users["agent"].email)
    form = main_form(web.get("/imports"))
    form["file"] = Upload("latin.csv", "text,channel\nna\u00efve,x\n".encode("latin-1"), "text/csv")
    page = form.submit().follow()
    assert "Stopped: The file is not valid UTF-8" in page.text
    with app.app_context():
        job = db.session.get(ImportJob, 1)
        assert job.status is ImportStatus.FAILED
        assert job.payload
        assert job.finished_at == T0

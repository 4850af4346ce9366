"""Complaint, publication and import statuses move only by their tables of allowed moves."""

from __future__ import annotations

import pytest

from app.complaints.models import Complaint, ComplaintStatus, ImportJob, ImportStatus
from app.core.errors import http_status
from app.core.states import IllegalMove
from app.drafts.models import Publication, PublicationStatus


def test_a_complaint_goes_from_new_to_resolved_and_never_back():
    complaint = Complaint(status=ComplaintStatus.NEW)
    complaint.move_to(ComplaintStatus.IN_PROGRESS)
    complaint.move_to(ComplaintStatus.REPLIED)
    complaint.move_to(ComplaintStatus.RESOLVED)
    with pytest.raises(IllegalMove) as problem:
        complaint.move_to(ComplaintStatus.NEW)
    assert str(problem.value) == "A complaint that is resolved cannot become new."
    assert complaint.status == ComplaintStatus.RESOLVED
    assert http_status(problem.value) == 409


def test_a_new_complaint_is_not_resolved_before_a_reply():
    with pytest.raises(IllegalMove):
        Complaint(status=ComplaintStatus.NEW).move_to(ComplaintStatus.RESOLVED)


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        (PublicationStatus.PENDING, PublicationStatus.DELIVERED, True),
        (PublicationStatus.PENDING, PublicationStatus.FAILED, True),
        (PublicationStatus.FAILED, PublicationStatus.PENDING, True),  # sent again
        (PublicationStatus.FAILED, PublicationStatus.DELIVERED, True),  # posted by hand
        (PublicationStatus.DELIVERED, PublicationStatus.DELIVERED, True),  # its link, later
        (PublicationStatus.DELIVERED, PublicationStatus.PENDING, False),
        (PublicationStatus.DELIVERED, PublicationStatus.FAILED, False),
    ],
)
def test_publication_moves(before, after, allowed):
    publication = Publication(status=before)
    if allowed:
        publication.move_to(after)
        assert publication.status == after
    else:
        with pytest.raises(IllegalMove):
            publication.move_to(after)
        assert publication.status == before


def test_an_import_runs_once_and_ends_done_or_failed():
    job = ImportJob(status=ImportStatus.QUEUED)
    job.move_to(ImportStatus.RUNNING)
    job.move_to(ImportStatus.DONE)
    for again in (ImportStatus.RUNNING, ImportStatus.FAILED, ImportStatus.QUEUED):
        with pytest.raises(IllegalMove):
            job.move_to(again)
    crashed = ImportJob(status=ImportStatus.QUEUED)
    crashed.move_to(ImportStatus.FAILED)  # a crash before it started
    assert crashed.status == ImportStatus.FAILED

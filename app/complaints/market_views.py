"""Markets on the screens: the "paused outside hours" words beside a complaint's clock."""

from __future__ import annotations

from flask import Blueprint

from app.complaints import markets
from app.complaints.models import Complaint
from app.web.services import services

blueprint = Blueprint("markets", __name__)


def clock_pause(complaint: Complaint, at) -> str:
    """The clock badge's pause words for `complaint` at `at` ("" while the clock runs)."""
    return markets.pause_words(services().market_of(complaint), complaint, at)


@blueprint.app_context_processor
def inject() -> dict:
    return {"clock_pause": clock_pause}

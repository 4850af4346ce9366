from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from app.complaints.intake import ComplaintInput

ENCODINGS = [
    SelectChoice("", "Detect (UTF-8 or UTF-16)"),
    SelectChoice("utf-8", "UTF-8"),
    SelectChoice("cp1252", "Windows-1252 (Excel on Windows)"),
    SelectChoice("latin-1", "ISO-8859-1 (Latin-1)"),
    SelectChoice("utf-16", "UTF-16"),
]
FORMATS = [
    SelectChoice("", "Detect from the file"),
    SelectChoice("twcs", "Customer Support on Twitter (CSV)"),
    SelectChoice("csv", "Generic CSV"),
    SelectChoice("json", "JSON or JSON Lines"),
]


class ComplaintForm(FlaskForm):
    channel = SelectField("Channel", validators=[DataRequired()])
    author_handle = StringField(
        "Author handle or address",
        validators=[Length(max=200)],
        description="@handle, e-mail address or profile name.",
    )
    author_name = StringField("Author name", validators=[Length(max=200)])
    # The length limit is checked by intake with a message that gives the numbers.
    text = TextAreaField(
        "Complaint",
        validators=[DataRequired(message="Paste the complaint.")],
        render_kw={"rows": 8, "dir": "auto"},
    )
    url = StringField(
        "Link to the post",
        validators=[Optional(), Length(max=2000), URL(message="Enter a full link.")],
    )
    received_at = DateTimeLocalField("Received", format="%Y-%m-%dT%H:%M", validators=[Optional()])

    def complaint_input(self, zone: tzinfo) -> ComplaintInput:
        """What was pasted, for intake; the time received is read in `zone`."""
        received = self.received_at.data
        return ComplaintInput(
            channel=self.channel.data,
            text=self.text.data or "",
            received_at=received.replace(tzinfo=zone) if received is not None else None,
            author_handle=self.author_handle.data or "",
            author_name=self.author_name.data or "",
            url=self.url.data or "",
            source="manual",
        )


class ImportForm(FlaskForm):
    file = FileField(
        "File",
        validators=[FileRequired(message="Choose a file to import.")],
        description="CSV (Customer Support on Twitter layout or generic), JSON or JSON Lines.",
    )
    format = SelectField("Format", choices=FORMATS, default="")
    encoding = SelectField("Encoding", choices=ENCODINGS, default="")
    default_channel = SelectField("Channel for rows that name none", validators=[Optional()])
    history_handled = BooleanField(
        "Mark history as already handled",
        description=(
            "Complaints received before the cut-off are stored as resolved, so old posts do "
            "not top the inbox as overdue. Without a date, the cut-off is now minus each "
            "channel's response target: whatever was already overdue."
        ),
    )
    handled_before = DateField(
        "Handled before (optional cut-off date)",
        validators=[Optional()],
        description="Complaints received before this day are taken as handled.",
    )

    def history_option(self, zone: tzinfo) -> dict:
        """The "history already handled" option for `imports.create_job`: the cut-off
        date is the start of that day in `zone`."""
        day = self.handled_before.data
        return {
            "history_handled": bool(self.history_handled.data),
            "handled_before": datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
            if day is not None
            else None,
        }

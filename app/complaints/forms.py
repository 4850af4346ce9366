from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo

from flask_babel import lazy_gettext as _l
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
    SelectChoice("", _l("Detect (UTF-8 or UTF-16)")),
    SelectChoice("utf-8", "UTF-8"),
    SelectChoice("cp1252", _l("Windows-1252 (Excel on Windows)")),
    SelectChoice("latin-1", "ISO-8859-1 (Latin-1)"),
    SelectChoice("utf-16", "UTF-16"),
]
FORMATS = [
    SelectChoice("", _l("Detect from the file")),
    SelectChoice("twcs", _l("Customer Support on Twitter (CSV)")),
    SelectChoice("csv", _l("Generic CSV")),
    SelectChoice("json", _l("JSON or JSON Lines")),
]


class ComplaintForm(FlaskForm):
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    author_handle = StringField(
        _l("Author handle or address"),
        validators=[Length(max=200)],
        description=_l("@handle, e-mail address or profile name."),
    )
    author_name = StringField(_l("Author name"), validators=[Length(max=200)])
    # The length limit is checked by intake with a message that gives the numbers.
    text = TextAreaField(
        _l("Complaint"),
        validators=[DataRequired(message=_l("Paste the complaint."))],
        render_kw={"rows": 8, "dir": "auto"},
    )
    url = StringField(
        _l("Link to the post"),
        validators=[Optional(), Length(max=2000), URL(message=_l("Enter a full link."))],
    )
    received_at = DateTimeLocalField(
        _l("Received"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )

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
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to import."))],
        description=_l("CSV (Customer Support on Twitter layout or generic), JSON or JSON Lines."),
    )
    format = SelectField(_l("Format"), choices=FORMATS, default="")
    encoding = SelectField(_l("Encoding"), choices=ENCODINGS, default="")
    default_channel = SelectField(_l("Channel for rows that name none"), validators=[Optional()])
    history_handled = BooleanField(
        _l("Mark history as already handled"),
        description=_l(
            "Complaints received before the cut-off are stored as resolved, so old posts do "
            "not top the inbox as overdue. Without a date, the cut-off is now minus each "
            "channel's response target: whatever was already overdue."
        ),
    )
    handled_before = DateField(
        _l("Handled before (optional cut-off date)"),
        validators=[Optional()],
        description=_l("Complaints received before this day are taken as handled."),
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

"""Request and response shapes of the API; they also write the OpenAPI document."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import validate

from app.analysis.kind import KINDS
from app.analysis.rules import FLAGS
from app.complaints.inbox import ASSIGNEE_FILTERS, MAX_SEARCH_CHARS, STATUS_FILTERS, clock
from app.complaints.intake import CHANNEL_ALIASES
from app.core.ids import MAX_ID
from app.core.text import INVISIBLE
from app.core.words import N_
from app.drafts.operations import MAX_PART_CHARS
from app.nlp.detection import LANGUAGE_NAMES
from app.tone.checker import MAX_CHARS as MAX_REPLY_CHARS
from app.web.services import now, services
from config import Config

#: An id sent in a body or query: beyond the database's range it names nothing (422).
ID_RANGE = validate.Range(min=1, max=MAX_ID, error="Not an id: use a whole number from 1 to {max}.")
#: Revision numbers and character offsets.
COUNT_RANGE = validate.Range(min=0, max=MAX_ID)
#: A complaint's text, as the intake and the analysis take it (MAX_COMPLAINT_CHARS).
MAX_COMPLAINT_CHARS = Config.MAX_COMPLAINT_CHARS

#: The channels migration 0001 seeds, and the other names intake reads as them.
CHANNEL_KEYS = ("x", "facebook", "instagram", "review", "dm", "email")
CHANNEL_NAMES = (*CHANNEL_KEYS, *CHANNEL_ALIASES)
#: The languages Composure can name (ISO 639-1).
LANGUAGE_CODES = tuple(sorted(LANGUAGE_NAMES))

#: What `app.core.text` leaves out of a text's visible content: spaces (all that
#: str.strip removes), control characters and the invisible ones. Written with escapes
#: that Python and ECMAScript (the OpenAPI document's regexes) read alike.
_NOT_VISIBLE = (
    r"\t\n\x0b\x0c\r\x00-\x1f\x7f-\x9f \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000" + "".join(f"\\u{ord(char):04x}" for char in INVISIBLE)
)


class Contains(validate.Validator):
    """The value has a match of `pattern` somewhere (JSON Schema's `pattern` is a search,
    marshmallow's Regexp a match at the start); apispec writes `regex` into the document."""

    def __init__(self, pattern: str, error: str) -> None:
        self.regex = re.compile(pattern)
        self.error = error

    def __call__(self, value: str) -> str:
        if not self.regex.search(value):
            raise ma.ValidationError(self.error)
        return value


#: A text with something visible in it; blank ones (spaces, zero-width) are refused.
VISIBLE = Contains(f"[^{_NOT_VISIBLE}]", "The text is empty.")
#: A link as intake keeps it: http(s), a host, no spaces.
URL = validate.Regexp(
    r"^(https?://[^ \t\n\r\f\v/?#\[\]@]+([/?#][^ \t\n\r\f\v]*)?)?$",
    error="The link must start with http:// or https:// and a host, without spaces.",
)


class ChannelName(validate.OneOf):
    """A channel key or another name intake reads as one (twitter, fb, ...); case and
    surrounding spaces do not matter, as in intake."""

    def __call__(self, value: str) -> str:
        super().__call__(value.strip().lower())
        return value


class StrictBoolean(ma.fields.Boolean):
    """true or false as JSON writes them; marshmallow's Boolean also takes 0, 1, "yes" and
    "on", which the document (type boolean) does not allow."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


CHANNEL = ChannelName(CHANNEL_NAMES, error="Unknown channel; use one of: {choices}.")
LANGUAGE = validate.OneOf(LANGUAGE_CODES, error="Not a language Composure can name (ISO 639-1).")


class ComplaintCreateSchema(ma.Schema):
    channel = ma.fields.String(required=True, validate=CHANNEL, metadata={"example": "x"})
    text = ma.fields.String(
        required=True,
        validate=[validate.Length(max=MAX_COMPLAINT_CHARS), VISIBLE],
        metadata={"example": "@NorthwindHome where is my order?"},
    )
    author_handle = ma.fields.String(load_default="", validate=validate.Length(max=200))
    author_name = ma.fields.String(load_default="", validate=validate.Length(max=200))
    url = ma.fields.String(load_default="", validate=[validate.Length(max=2000), URL])
    received_at = ma.fields.AwareDateTime(
        load_default=None, metadata={"description": "ISO 8601 with a zone; default: now"}
    )
    external_id = ma.fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "The post's id on its channel; makes re-sending idempotent"},
    )


class EntitySchema(ma.Schema):
    kind = ma.fields.String()
    text = ma.fields.String()
    start = ma.fields.Integer()
    end = ma.fields.Integer()


class KindSchema(ma.Schema):
    label = ma.fields.String(metadata={"description": "complaint, question, praise or other"})
    scores = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Float(),
        metadata={
            "description": "A score per kind, 0 to 1, summing to 1",
            "example": {"complaint": 0.91, "question": 0.06, "praise": 0.01, "other": 0.02},
        },
    )


class ComplaintSchema(ma.Schema):
    id = ma.fields.Integer()
    channel = ma.fields.String(attribute="channel_key")
    status = ma.fields.Function(lambda complaint: complaint.status.value)
    text = ma.fields.String()
    author_handle = ma.fields.String()
    author_name = ma.fields.String()
    url = ma.fields.String(allow_none=True)
    source = ma.fields.String()
    external_id = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime()
    response_due_at = ma.fields.AwareDateTime()
    created_at = ma.fields.AwareDateTime()
    assignee_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The agent who took the complaint"}
    )
    clock = ma.fields.Method(
        "response_clock",
        metadata={
            "type": "object",
            "description": "The response-time clock now: urgency (on_track, due_soon, overdue, "
            "answered), remaining_seconds (negative when overdue), target_seconds; in the "
            "business time of the complaint's market where it has business hours",
        },
    )

    def response_clock(self, complaint) -> dict:
        """The complaint's response clock now, by the app's clock, counted on its market's
        clock (business time where the market has hours)."""
        state = clock(complaint, now(), services().market_of(complaint).calendar)
        return {
            "urgency": state.urgency.value,
            "remaining_seconds": int(state.remaining.total_seconds()),
            "target_seconds": int(state.target.total_seconds()),
        }

    language = ma.fields.String(
        allow_none=True,
        metadata={"description": "The language it is read in (ISO 639-1): detected, or set"},
    )
    language_supported = ma.fields.Function(
        lambda complaint: complaint.language_read,
        metadata={
            "type": "boolean",
            "description": "false when Composure has no analysis rules for the language: "
            "heat, heat_label, complainer_type, category and kind are then null (not read), "
            "and flags holds only personal_data, found by its format: the other flags were "
            "not checked (flags_checked false)",
        },
    )
    flags_checked = ma.fields.Function(
        lambda complaint: complaint.language_read,
        metadata={
            "type": "boolean",
            "description": "false: only personal_data was looked for; a flag missing from "
            "flags is unknown, not absent",
        },
    )
    detected_language = ma.fields.String(
        allow_none=True, metadata={"description": "What the detector read the language as"}
    )
    language_set_by = ma.fields.Function(
        lambda complaint: complaint.language_set_by.name if complaint.language_set_by else None,
        metadata={
            "type": "string",
            "nullable": True,
            "description": "Who set the language by hand (null while the detected one stands)",
        },
    )
    language_set_at = ma.fields.AwareDateTime(allow_none=True)
    heat = ma.fields.Float(allow_none=True, metadata={"description": "null: not read"})
    heat_label = ma.fields.String(
        allow_none=True, metadata={"description": "low, medium or high; null: not read"}
    )
    complainer_type = ma.fields.String(
        allow_none=True,
        metadata={"description": "aggressive, passive or constructive; null: not read"},
    )
    category = ma.fields.String(allow_none=True, metadata={"description": "null: not read"})
    flags = ma.fields.List(ma.fields.String())
    entities = ma.fields.List(ma.fields.Nested(EntitySchema))
    kind = ma.fields.Method(
        "kind_reading",
        allow_none=True,
        metadata={
            "type": "object",
            "nullable": True,
            "description": "What the text is: label (complaint, question, praise or other) "
            "and scores, one per kind summing to 1; null until analysed",
        },
    )

    def kind_reading(self, complaint) -> dict | None:
        stored = (complaint.analysis_notes or {}).get("kind")
        if complaint.kind is None or not stored:
            return None
        return {"label": complaint.kind, "scores": stored["scores"]}


class ComplaintListArgsSchema(ma.Schema):
    status = ma.fields.String(load_default="open", validate=validate.OneOf(list(STATUS_FILTERS)))
    channel = ma.fields.String(load_default=None)
    flag = ma.fields.String(
        load_default=None,
        validate=validate.OneOf([*FLAGS, "not_checked"]),
        metadata={
            "description": "Only complaints with this sensitivity flag, and those whose flags "
            "were not checked (language_supported false: they might have it); not_checked: "
            "only those"
        },
    )
    kind = ma.fields.String(
        load_default=None,
        validate=validate.OneOf(KINDS),
        metadata={"description": "Only texts of this kind: complaint, question, praise, other"},
    )
    assignee = ma.fields.String(
        load_default=None,
        validate=validate.OneOf(ASSIGNEE_FILTERS),
        metadata={"description": "me: taken by you; none: taken by nobody"},
    )
    q = ma.fields.String(
        load_default="",
        metadata={
            "description": "Words in the text, author name or handle (case-insensitive), or "
            f"#123 for complaint 123; cut to {MAX_SEARCH_CHARS} characters"
        },
    )
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class AssignmentRequestSchema(ma.Schema):
    take_over = StrictBoolean(
        load_default=False,
        metadata={"description": "Take it from the colleague who has it (else 409)"},
    )


class AssignmentSchema(ma.Schema):
    complaint_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)
    assignee = ma.fields.String(allow_none=True, metadata={"description": "Their name"})
    changed = ma.fields.Boolean(
        metadata={"description": "false when it was already so (a repeated call)"}
    )


class ComplaintPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ComplaintSchema))
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


class SpanSchema(ma.Schema):
    text = ma.fields.String()
    start = ma.fields.Integer(metadata={"description": "Character offset in `text`"})
    end = ma.fields.Integer()


class LanguageRequestSchema(ma.Schema):
    language = ma.fields.String(
        required=True,
        validate=LANGUAGE,
        metadata={
            "description": "The language the complaint is written in (ISO 639-1, e.g. nl): "
            "it is read again in it, with its rules if Composure has them, not read otherwise",
            "example": "nl",
        },
    )


class AnalyzeRequestSchema(ma.Schema):
    text = ma.fields.String(
        required=True,
        validate=[validate.Length(max=MAX_COMPLAINT_CHARS), VISIBLE],
        metadata={"example": "@NorthwindHome charged TWICE for order #NW-50177!!!"},
    )
    channel = ma.fields.String(
        load_default=None,
        validate=CHANNEL,
        metadata={"description": "Channel key (x, facebook, dm, ...): it affects the type"},
    )
    language = ma.fields.String(
        load_default=None,
        validate=LANGUAGE,
        metadata={"description": "Read it in this language (ISO 639-1) instead of detecting it"},
    )


class AnalysisSchema(ma.Schema):
    text = ma.fields.String(
        metadata={"description": "The text as analysed (cleaned); every span refers to it"}
    )
    language = ma.fields.String()
    language_supported = ma.fields.Boolean(
        metadata={
            "description": "false when Composure has no analysis rules for the language: then "
            "heat, heat_label, complainer_type, category and kind are null (not read, never "
            "guessed with another language's rules) and flags holds only personal_data "
            "(found by its format), the others not checked; personal data, capitals and !!! "
            "are still found (entities, evidence.personal_data, .shouting, .punctuation)"
        }
    )
    flags_checked = ma.fields.Boolean(
        metadata={
            "description": "false: only personal_data was looked for; a flag missing from "
            "`flags` is unknown, not absent"
        }
    )
    heat = ma.fields.Float(
        allow_none=True, metadata={"description": "0 (calm) to 1 (furious); null: not read"}
    )
    heat_label = ma.fields.String(
        allow_none=True, metadata={"description": "low, medium or high; null: not read"}
    )
    complainer_type = ma.fields.String(
        allow_none=True,
        metadata={"description": "aggressive, passive or constructive; null: not read"},
    )
    category = ma.fields.String(allow_none=True, metadata={"description": "null: not read"})
    flags = ma.fields.List(ma.fields.String())
    entities = ma.fields.List(ma.fields.Nested(EntitySchema))
    evidence = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Nested(SpanSchema)),
        metadata={"description": "The words behind each flag, the type, the category and heat"},
    )
    reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    notices = ma.fields.List(ma.fields.String())
    kind = ma.fields.Nested(
        KindSchema,
        allow_none=True,
        metadata={"description": "What the text is; its words are evidence.kind"},
    )


class ComposeRequestSchema(ma.Schema):
    """A stored complaint (`complaint_id`) or a text and its channel, not both."""

    #: The OpenAPI document's words for `one_source` (app.api.register_api adds them).
    ONE_OF = [
        {"required": ["complaint_id"], "not": {"required": ["text"]}},
        {"required": ["text", "channel"], "not": {"required": ["complaint_id"]}},
    ]

    complaint_id = ma.fields.Integer(
        validate=ID_RANGE,
        metadata={"description": "A stored complaint; or give text and channel"},
    )
    language = ma.fields.String(
        load_default=None,
        validate=LANGUAGE,
        metadata={
            "description": "Build it in this language (one with reply templates); default: "
            "the complaint's, or English with a notice where there are no templates"
        },
    )
    text = ma.fields.String(validate=[validate.Length(max=MAX_COMPLAINT_CHARS), VISIBLE])
    channel = ma.fields.String(validate=CHANNEL)
    customer_name = ma.fields.String(load_default="", validate=validate.Length(max=200))
    handle = ma.fields.String(load_default="", validate=validate.Length(max=200))

    @ma.validates_schema
    def one_source(self, data, **kwargs):
        if "complaint_id" in data and "text" in data:
            raise ma.ValidationError(N_("Give complaint_id or text, not both."), field_name="text")
        if "complaint_id" not in data and not ("text" in data and "channel" in data):
            raise ma.ValidationError(
                N_("Give complaint_id, or text and channel."), field_name="complaint_id"
            )


class PartChoiceSchema(ma.Schema):
    part = ma.fields.String()
    variant_id = ma.fields.String()
    text = ma.fields.String()
    unfilled = ma.fields.List(ma.fields.String())
    fit = ma.fields.Integer()
    offline = ma.fields.Boolean()


class GuidanceSchema(ma.Schema):
    title = ma.fields.String()
    summary = ma.fields.String()
    steps = ma.fields.List(ma.fields.String())
    holding_reply = ma.fields.String()


class CompositionSchema(ma.Schema):
    mode = ma.fields.String(metadata={"description": "reply, or attack (no apology: route to PR)"})
    language = ma.fields.String()
    channel = ma.fields.String()
    parts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(PartChoiceSchema))
    part_order = ma.fields.List(
        ma.fields.String(), metadata={"description": "The order the parts are read in"}
    )
    text = ma.fields.String()
    alternatives = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.Nested(PartChoiceSchema))
    )
    length = ma.fields.Integer(metadata={"description": "As the channel counts it"})
    limit = ma.fields.Integer()
    fits = ma.fields.Boolean()
    thread = ma.fields.List(ma.fields.String())
    unfilled = ma.fields.List(ma.fields.String())
    taken_offline_for = ma.fields.List(ma.fields.String())
    notices = ma.fields.List(ma.fields.String())
    guidance = ma.fields.Nested(GuidanceSchema, allow_none=True)
    analysis = ma.fields.Nested(AnalysisSchema)


class ToneCheckRequestSchema(ma.Schema):
    text = ma.fields.String(
        required=True,
        validate=[validate.Length(max=MAX_REPLY_CHARS), VISIBLE],
        metadata={"example": "Sorry you feel that way. You should have read the terms."},
    )
    channel = ma.fields.String(
        required=True,
        validate=CHANNEL,
        metadata={"description": "Channel key: personal data and private topics matter in public"},
    )
    complaint_id = ma.fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "The complaint replied to: mirrors_anger compares with it"},
    )
    language = ma.fields.String(
        load_default=None,
        validate=LANGUAGE,
        metadata={"description": "ISO 639-1; detected from the text when absent"},
    )


class FindingSchema(ma.Schema):
    code = ma.fields.String()
    label = ma.fields.String()
    severity = ma.fields.String(metadata={"description": "block, warn or info"})
    start = ma.fields.Integer(metadata={"description": "Character offset into `text`"})
    end = ma.fields.Integer()
    text = ma.fields.String(metadata={"description": "The words at fault"})
    message = ma.fields.String()
    suggestion = ma.fields.String(
        allow_none=True,
        metadata={"description": 'Replaces text[replace_start:replace_end]; "" deletes it'},
    )
    replace_start = ma.fields.Integer()
    replace_end = ma.fields.Integer()
    details = ma.fields.Dict()


class ToneReportSchema(ma.Schema):
    text = ma.fields.String(metadata={"description": "The text as checked; spans refer to it"})
    blocking = ma.fields.Boolean(metadata={"description": "A `block` finding: cannot go out"})
    language = ma.fields.String()
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))
    parts = ma.fields.Dict(
        metadata={"description": "validate/responsibility/direction/close_loop: present, span"}
    )
    readability = ma.fields.Dict(allow_none=True)
    sentiment = ma.fields.Dict(allow_none=True)
    notices = ma.fields.List(ma.fields.String())


class DraftCreateSchema(ma.Schema):
    text = ma.fields.String(
        load_default=None,
        validate=[validate.Length(max=MAX_PART_CHARS), VISIBLE],
        metadata={"description": "The reply as written; leave out to build the four parts"},
    )
    follows_draft_id = ma.fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "Makes it the public follow-up of this published reply"},
    )
    language = ma.fields.String(
        load_default=None,
        validate=LANGUAGE,
        metadata={
            "description": "Build the parts in this language (one with reply templates); "
            "default: the complaint's"
        },
    )


PART_LENGTH = validate.Length(max=MAX_PART_CHARS)


class DraftPartsSchema(ma.Schema):
    """The four parts of a built reply; those left out stay as they are."""

    validate = ma.fields.String(validate=PART_LENGTH)
    responsibility = ma.fields.String(validate=PART_LENGTH)
    direction = ma.fields.String(validate=PART_LENGTH)
    close_loop = ma.fields.String(validate=PART_LENGTH)


class DraftEditSchema(ma.Schema):
    """`parts` or `text`, not both."""

    #: The OpenAPI document's words for `parts_or_text` (app.api.register_api adds them).
    ONE_OF = [{"required": ["parts"]}, {"required": ["text"]}]

    revision = ma.fields.Integer(
        required=True,
        validate=COUNT_RANGE,
        metadata={"description": "The revision you edited; a newer one wins"},
    )
    parts = ma.fields.Nested(
        DraftPartsSchema,
        metadata={
            "description": "Parts to change, for a draft built in parts (a draft written as "
            "one text has none: 409 unknown_part)"
        },
    )
    text = ma.fields.String(
        validate=[validate.Length(max=MAX_PART_CHARS), VISIBLE],
        metadata={"description": "Or the whole reply, replacing the parts"},
    )

    @ma.validates_schema
    def parts_or_text(self, data, **kwargs):
        if ("parts" in data) == ("text" in data):
            raise ma.ValidationError(N_("Send either `parts` or `text`."), field_name="parts")


class DraftActionSchema(ma.Schema):
    revision = ma.fields.Integer(
        required=True,
        validate=COUNT_RANGE,
        metadata={"description": "The revision you read: acting on an older one is refused"},
    )
    comment = ma.fields.String(load_default="", validate=validate.Length(max=5000))
    group = ma.fields.String(
        load_default=None,
        validate=validate.OneOf(["legal", "pr"]),
        metadata={"description": "sign-off: the group you sign for"},
    )
    approved = StrictBoolean(
        load_default=True, metadata={"description": "sign-off: false refuses it"}
    )
    anchor_start = ma.fields.Integer(load_default=None, validate=COUNT_RANGE)
    anchor_end = ma.fields.Integer(load_default=None, validate=COUNT_RANGE)


class LinkSchema(ma.Schema):
    url = ma.fields.String(required=True, validate=[validate.Length(min=1, max=2000), URL])


class ResolveSchema(ma.Schema):
    note = ma.fields.String(load_default="", validate=validate.Length(max=2000))


class ReviewOutSchema(ma.Schema):
    reviewer = ma.fields.Function(lambda review: review.reviewer.name)
    reviewer_id = ma.fields.Integer()
    decision = ma.fields.Function(lambda review: review.decision.value)
    comment = ma.fields.String()
    anchor_start = ma.fields.Integer(allow_none=True)
    anchor_end = ma.fields.Integer(allow_none=True)
    revision = ma.fields.Function(lambda review: review.revision.number)
    created_at = ma.fields.AwareDateTime()
    voided_at = ma.fields.AwareDateTime(allow_none=True)


class SignOffOutSchema(ma.Schema):
    signer = ma.fields.Function(lambda signoff: signoff.signer.name)
    signer_id = ma.fields.Integer()
    group = ma.fields.String()
    approved = ma.fields.Boolean()
    comment = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class RefusalSchema(ma.Schema):
    code = ma.fields.String()
    message = ma.fields.String()


class PublicationSchema(ma.Schema):
    id = ma.fields.Integer()
    adapter = ma.fields.String()
    status = ma.fields.Function(lambda publication: publication.status.value)
    idempotency_key = ma.fields.String()
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.AwareDateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    external_url = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    delivered_at = ma.fields.AwareDateTime(allow_none=True)


class CoolingOffSchema(ma.Schema):
    seconds = ma.fields.Integer()
    reasons = ma.fields.List(ma.fields.String())
    message = ma.fields.String()


class DraftStateSchema(ma.Schema):
    """A draft as `workflow.status` sees it (built in app/api/drafts.py)."""

    id = ma.fields.Integer()
    complaint_id = ma.fields.Integer()
    author_id = ma.fields.Integer()
    channel = ma.fields.String()
    language = ma.fields.String(
        allow_none=True,
        metadata={"description": "The language its parts were built in; null: written by hand"},
    )
    state = ma.fields.String()
    state_words = ma.fields.String(
        metadata={
            "description": "The state as the screens say it: a reply posted by hand is "
            "'To post by hand' until its link is recorded, then 'Posted'; by webhook "
            "'Being sent' or 'Sending failed' until delivered"
        }
    )
    out = ma.fields.Boolean(
        metadata={
            "description": "Whether the reply is on the channel: delivered by the webhook, or "
            "posted by hand and its link recorded (`state` is 'published' from the publish "
            "call on)"
        }
    )
    revision = ma.fields.Integer()
    text = ma.fields.String()
    parts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    findings = ma.fields.List(ma.fields.Dict())
    blocking = ma.fields.Boolean()
    cooling_off_until = ma.fields.AwareDateTime(allow_none=True)
    requires_signoff = ma.fields.Boolean()
    signoff_reasons = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "Why sign-off is needed and by whom: {kind, value, group}; kind is "
            "flag, finding, or language (value: the code of a language Composure could not "
            "read, so nothing sensitive could be ruled out)"
        },
    )
    missing_signoff = ma.fields.List(ma.fields.String())
    approvals = ma.fields.List(ma.fields.Nested(ReviewOutSchema))
    reviews = ma.fields.List(ma.fields.Nested(ReviewOutSchema))
    signoffs = ma.fields.List(ma.fields.Nested(SignOffOutSchema))
    publish_refusals = ma.fields.List(
        ma.fields.Nested(RefusalSchema),
        metadata={"description": "Why a publish would be refused right now; empty: it may go"},
    )
    target_warning = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "While true only: cooling-off ends after the response target "
            "(null once cooling-off is over or the reply is overdue anyway)"
        },
    )
    cooling_off = ma.fields.Nested(
        CoolingOffSchema,
        allow_none=True,
        metadata={"description": "Before submission: how long it will cool off, and why"},
    )
    follows_draft_id = ma.fields.Integer(allow_none=True)
    published_at = ma.fields.AwareDateTime(allow_none=True)
    publication = ma.fields.Nested(PublicationSchema, allow_none=True)
    created = ma.fields.Boolean(
        metadata={"description": "create/publish: false when an earlier call already did it"}
    )

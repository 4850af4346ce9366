"""Every Flask extension, created unbound here and bound in `create_app`."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.db import Base


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable code"})
    message = ma.fields.String(required=True, metadata={"description": "For people"})
    fields = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Per-field messages when the request was not valid"},
    )


class ErrorSchema(ma.Schema):
    """The one error format of the API: {"error": {"code", "message", "fields"}}."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class Api(_Api):
    """flask-smorest's Api, documenting our error format; errors are rendered app-wide
    by `app.web.errors`, which knows API requests from page requests."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
api = Api()
babel = Babel()

"""The JSON API under /api/v1: bearer tokens, one error format, an OpenAPI document."""

from __future__ import annotations

from flask import Flask

from app.extensions import api, csrf


def register_api(app: Flask) -> None:
    from app.api import schemas
    from app.api.complaints import blueprint as complaints
    from app.api.drafting import blueprint as drafting
    from app.api.drafts import blueprint as drafts

    for blueprint in (complaints, drafting, drafts):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    # What marshmallow cannot write into the document: which fields go together, checked
    # by each schema's own validator (`ONE_OF` beside it).
    documented = api.spec.components.schemas
    for schema in (schemas.ComposeRequestSchema, schemas.DraftEditSchema):
        documented[schema.__name__.removesuffix("Schema")]["oneOf"] = schema.ONE_OF

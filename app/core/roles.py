"""PostgreSQL: the app connects as a role that can use the tables but owns none of them.

Migrations run as the owner of the schema (the migration role); the app runs as another
role (config DATABASE_APP_ROLE) granted only what it needs. Only a table's owner (or a
superuser) may ALTER or DROP it or disable its triggers, so the app's role cannot switch
off the audit log's append-only triggers, and it gets no UPDATE, DELETE or TRUNCATE on the
audit tables at all. No Flask here: the migration and `flask audit grant-app-role` call it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: Tables the app may only read and append to.
APPEND_ONLY = ("audit_events", "audit_checkpoints")
#: Tables the app may only read.
READ_ONLY = ("alembic_version",)


class RoleError(RuntimeError):
    """The named role cannot be the app's role, or does not exist."""


def grant_app_role(connection: Connection, role: str) -> None:
    """Grant `role` what the app needs on every table of the current schema, now and (as
    default privileges of the role running this) for tables created later."""
    if connection.dialect.name != "postgresql":
        raise RoleError("Separate database roles are a PostgreSQL feature.")
    facts = connection.execute(
        text(
            "SELECT r.rolsuper, r.rolname = current_user, "
            "pg_has_role(r.rolname, current_user, 'MEMBER'), current_schema() "
            "FROM pg_roles r WHERE r.rolname = :role"
        ),
        {"role": role},
    ).first()
    if facts is None:
        raise RoleError(f"There is no database role {role!r}: create it first (README).")
    superuser, is_owner, owner_member, schema = facts
    if superuser or is_owner or owner_member:
        raise RoleError(
            f"{role!r} is a superuser, the migration role itself or a member of it: it could "
            "alter the audit tables. Run migrations as a role the app does not use."
        )
    quote = connection.dialect.identifier_preparer.quote
    who, where = quote(role), quote(schema)
    for statement in (
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        *(f"REVOKE ALL ON {quote(table)} FROM {who}" for table in APPEND_ONLY + READ_ONLY),
        *(f"GRANT SELECT, INSERT ON {quote(table)} TO {who}" for table in APPEND_ONLY),
        *(f"GRANT SELECT ON {quote(table)} TO {who}" for table in READ_ONLY),
    ):
        connection.execute(text(statement))

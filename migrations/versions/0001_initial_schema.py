"""Initial schema: accounts, complaints and imports, drafts and their workflow tables,
settings, notifications, and the append-only audit log. Seeds the channels.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:38:39.200498

"""
import os

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('channels',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('char_limit', sa.Integer(), nullable=False),
    sa.Column('supports_threads', sa.Boolean(), nullable=False),
    sa.Column('response_target_seconds', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('char_limit > 0', name=op.f('ck_channels_char_limit_positive')),
    sa.CheckConstraint('response_target_seconds > 0', name=op.f('ck_channels_target_positive')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_channels'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_login_attempts_remote_addr_at', ['remote_addr', 'at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('login_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('active OR deactivated_at IS NOT NULL', name=op.f('ck_users_deactivated_has_time')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lowercase')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_users_invited_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('login_id', name=op.f('uq_users_login_id'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format', sa.Enum('twcs', 'csv', 'json', name='import_format', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('encoding', sa.String(length=32), nullable=False),
    sa.Column('default_channel_key', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='import_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('imported_count', sa.Integer(), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.Column('ignored_count', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status IN ('done', 'failed')) = (finished_at IS NOT NULL)", name=op.f('ck_import_jobs_finished_has_time')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_jobs_created_by_id_users')),
    sa.ForeignKeyConstraint(['default_channel_key'], ['channels.key'], name=op.f('fk_import_jobs_default_channel_key_channels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invitations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('agent', 'reviewer', 'signoff', 'admin', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_key', sa.String(length=32), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('author_handle', sa.String(length=200), nullable=False),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('new', 'in_progress', 'replied', 'resolved', name='complaint_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_open', sa.Boolean(), sa.Computed("status IN ('new', 'in_progress')", persisted=True), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('import_job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('heat', sa.Float(), nullable=True),
    sa.Column('heat_label', sa.String(length=8), nullable=True),
    sa.Column('complainer_type', sa.String(length=16), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('entities', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('analyzed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'resolved') = (resolved_at IS NOT NULL)", name=op.f('ck_complaints_resolved_has_time')),
    sa.CheckConstraint("complainer_type IS NULL OR complainer_type IN ('aggressive', 'passive', 'constructive')", name=op.f('ck_complaints_complainer_type_values')),
    sa.CheckConstraint("heat_label IS NULL OR heat_label IN ('low', 'medium', 'high')", name=op.f('ck_complaints_heat_label_values')),
    sa.CheckConstraint('heat IS NULL OR (heat >= 0 AND heat <= 1)', name=op.f('ck_complaints_heat_range')),
    sa.CheckConstraint('response_due_at >= received_at', name=op.f('ck_complaints_due_after_received')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_complaints_assignee_id_users')),
    sa.ForeignKeyConstraint(['channel_key'], ['channels.key'], name=op.f('fk_complaints_channel_key_channels')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_complaints_created_by_id_users')),
    sa.ForeignKeyConstraint(['import_job_id'], ['import_jobs.id'], name=op.f('fk_complaints_import_job_id_import_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_complaints_dedupe_key'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_channel_status_due', ['channel_key', 'status', 'response_due_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_due', ['response_due_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_open_due', ['is_open', 'response_due_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_channel_open_due', ['channel_key', 'is_open', 'response_due_at', 'id'], unique=False)
        batch_op.create_index('ix_complaints_status_due', ['status', 'response_due_at', 'id'], unique=False)

    op.create_table('import_row_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.CheckConstraint("outcome IN ('duplicate', 'rejected')", name=op.f('ck_import_row_issues_outcome_values')),
    sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], name=op.f('fk_import_row_issues_job_id_import_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row_issues'))
    )
    with op.batch_alter_table('import_row_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_row_issues_job_id'), ['job_id'], unique=False)

    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('channel_key', sa.String(length=32), nullable=False),
    sa.Column('state', sa.Enum('draft', 'cooling_off', 'changes_requested', 'approved', 'published', 'withdrawn', name='draft_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.Column('cooling_off_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requires_signoff', sa.Boolean(), nullable=False),
    sa.Column('signoff_reasons', sa.JSON(), nullable=False),
    sa.Column('follows_draft_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'published') = (published_at IS NOT NULL)", name=op.f('ck_drafts_published_has_time')),
    sa.CheckConstraint("state = 'draft' OR state = 'withdrawn' OR cooling_off_until IS NOT NULL", name=op.f('ck_drafts_submitted_has_cooling_off')),
    sa.CheckConstraint('current_revision >= 1', name=op.f('ck_drafts_revision_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_drafts_author_id_users')),
    sa.ForeignKeyConstraint(['channel_key'], ['channels.key'], name=op.f('fk_drafts_channel_key_channels')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_drafts_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['follows_draft_id'], ['drafts.id'], name=op.f('fk_drafts_follows_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts'))
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_drafts_state_updated', ['state', 'updated_at'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_audit_events_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_audit_events_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_complaint_id_id', ['complaint_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(done_at IS NULL) = (done_by_id IS NULL)', name=op.f('ck_follow_ups_done_has_person')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_follow_ups_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_follow_ups_done_by_id_users')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_follow_ups_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_due_at'), ['due_at'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('template_ids', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('has_blocking_findings', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_revisions_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_revisions_author_id_users')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_revisions_draft_id_drafts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_revisions_draft_id_number'))
    )
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('adapter', sa.String(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'delivered', 'failed', name='publication_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('external_url', sa.String(length=2000), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'delivered') = (delivered_at IS NOT NULL)", name=op.f('ck_publications_delivered_has_time')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_publications_draft_id_drafts')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publications_published_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_publications_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('draft_id', name=op.f('uq_publications_draft_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_publications_idempotency_key'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index('ix_publications_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'changes_requested', name='review_decision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('anchor_start', sa.Integer(), nullable=True),
    sa.Column('anchor_end', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision = 'approved' OR length(comment) > 0", name=op.f('ck_reviews_changes_need_comment')),
    sa.CheckConstraint('(anchor_start IS NULL) = (anchor_end IS NULL)', name=op.f('ck_reviews_anchor_pair')),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_reviews_draft_id_drafts')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_reviews_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_draft_id'), ['draft_id'], unique=False)

    op.create_table('signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.Enum('legal', 'pr', name='signoff_group', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_signoffs_draft_id_drafts')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_signoffs_revision_id_revisions')),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_signoffs_signer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoffs'))
    )
    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signoffs_draft_id'), ['draft_id'], unique=False)

    _seed_channels()
    _append_only_audit()


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signoffs_draft_id'))

    op.drop_table('signoffs')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_draft_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('ix_publications_status_next')

    op.drop_table('publications')
    op.drop_table('revisions')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_due_at'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_complaint_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index('ix_audit_events_complaint_id_id')

    op.drop_table('audit_events')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_state_updated')
        batch_op.drop_index(batch_op.f('ix_drafts_complaint_id'))

    op.drop_table('drafts')
    with op.batch_alter_table('import_row_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_row_issues_job_id'))

    op.drop_table('import_row_issues')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_status_due')
        batch_op.drop_index('ix_complaints_due')
        batch_op.drop_index('ix_complaints_channel_open_due')
        batch_op.drop_index('ix_complaints_open_due')
        batch_op.drop_index('ix_complaints_channel_status_due')

    op.drop_table('complaints')
    op.drop_table('user_roles')
    op.drop_table('settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_user_id'))

    op.drop_table('invitations')
    op.drop_table('import_jobs')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_remote_addr_at')
        batch_op.drop_index('ix_login_attempts_email_at')

    op.drop_table('login_attempts')
    op.drop_table('channels')


#: Response-time targets follow PRODUCT.md: within the hour in public, 24 hours in private.
#: RESPONSE_TARGET_PUBLIC_SECONDS / RESPONSE_TARGET_PRIVATE_SECONDS change the targets a new
#: database starts with; afterwards an admin sets them on Admin → Workflow policy.
PUBLIC_TARGET = int(os.environ.get("RESPONSE_TARGET_PUBLIC_SECONDS") or 3600)
PRIVATE_TARGET = int(os.environ.get("RESPONSE_TARGET_PRIVATE_SECONDS") or 86400)
CHANNELS = [
    # key, name, public, char limit, threads, target seconds, position
    ("x", "X (Twitter)", True, 280, True, PUBLIC_TARGET, 1),
    ("facebook", "Facebook", True, 8000, False, PUBLIC_TARGET, 2),
    ("instagram", "Instagram", True, 2200, False, PUBLIC_TARGET, 3),
    ("review", "Review site", True, 5000, False, PUBLIC_TARGET, 4),
    ("dm", "Direct message", False, 10000, False, PRIVATE_TARGET, 5),
    ("email", "E-mail", False, 50000, False, PRIVATE_TARGET, 6),
]


def _seed_channels():
    channels = sa.table(
        "channels", sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("is_public", sa.Boolean), sa.column("char_limit", sa.Integer),
        sa.column("supports_threads", sa.Boolean),
        sa.column("response_target_seconds", sa.Integer), sa.column("active", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(channels, [
        {"key": key, "name": name, "is_public": public, "char_limit": limit,
         "supports_threads": threads, "response_target_seconds": target, "active": True,
         "position": position}
        for key, name, public, limit, threads, target, position in CHANNELS
    ])


def _append_only_audit():
    """Nothing may change or remove an audit event, whatever the application does."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )

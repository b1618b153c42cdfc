"""person records, links, merges and high-risk household screening visits

One person across cases: `person_records`, the link of a case's party to its record
(`person_links`, with the normalised keys proposals search), a supervisor's merges
(`person_merges`, undoable) and the screening visits of high-risk households
(`screening_visits`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa
import caseflow.timeutil  # noqa: F401  (UTCDateTime columns)


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = "0013"
branch_labels = None
depends_on = None

OUTCOMES = ("safe", "concern", "escalate", "unreachable")


def upgrade():
    op.create_table(
        'person_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('created_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['merged_into_id'], ['person_records.id'], name=op.f('fk_person_records_merged_into_id_person_records')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_person_records_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_records')),
    )
    op.create_index(op.f('ix_person_records_merged_into_id'), 'person_records', ['merged_into_id'])
    op.create_table(
        'person_links',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('id_number', sa.String(length=18), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('name_key', sa.String(length=100), nullable=True),
        sa.Column('name_pinyin', sa.String(length=300), nullable=True),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('linked_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_links_person_id_persons')),
        sa.ForeignKeyConstraint(['record_id'], ['person_records.id'], name=op.f('fk_person_links_record_id_person_records')),
        sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_person_links_linked_by_id_users')),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_links')),
    )
    for column in ('record_id', 'id_number', 'phone', 'name_key', 'name_pinyin'):
        op.create_index(op.f(f'ix_person_links_{column}'), 'person_links', [column])
    op.create_table(
        'person_merges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survivor_id', sa.Integer(), nullable=False),
        sa.Column('merged_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('moved', sa.JSON(), nullable=False),
        sa.Column('merged_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.Column('merged_by_id', sa.Integer(), nullable=False),
        sa.Column('undone_at', caseflow.timeutil.UTCDateTime(), nullable=True),
        sa.Column('undone_by_id', sa.Integer(), nullable=True),
        sa.Column('undo_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['survivor_id'], ['person_records.id'], name=op.f('fk_person_merges_survivor_id_person_records')),
        sa.ForeignKeyConstraint(['merged_id'], ['person_records.id'], name=op.f('fk_person_merges_merged_id_person_records')),
        sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_person_merges_merged_by_id_users')),
        sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_person_merges_undone_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges')),
    )
    op.create_index(op.f('ix_person_merges_survivor_id'), 'person_merges', ['survivor_id'])
    op.create_index(op.f('ix_person_merges_merged_id'), 'person_merges', ['merged_id'])
    op.create_table(
        'screening_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', caseflow.timeutil.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN (" + ", ".join(f"'{k}'" for k in OUTCOMES) + ")",
            name=op.f('ck_screening_visits_outcome'),
        ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_screening_visits_case_id_cases')),
        sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_screening_visits_by_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_visits')),
    )
    op.create_index(op.f('ix_screening_visits_case_id'), 'screening_visits', ['case_id'])


def downgrade():
    op.drop_index(op.f('ix_screening_visits_case_id'), table_name='screening_visits')
    op.drop_table('screening_visits')
    op.drop_index(op.f('ix_person_merges_merged_id'), table_name='person_merges')
    op.drop_index(op.f('ix_person_merges_survivor_id'), table_name='person_merges')
    op.drop_table('person_merges')
    for column in ('record_id', 'id_number', 'phone', 'name_key', 'name_pinyin'):
        op.drop_index(op.f(f'ix_person_links_{column}'), table_name='person_links')
    op.drop_table('person_links')
    op.drop_index(op.f('ix_person_records_merged_into_id'), table_name='person_records')
    op.drop_table('person_records')

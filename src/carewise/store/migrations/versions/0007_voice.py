"""voice of children and care leavers: feedback batches and their rows

Revision ID: 0007_voice
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_voice"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('voice_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('covers_from', sa.Date(), nullable=True),
    sa.Column('covers_to', sa.Date(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_batch_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_batch'))
    )
    with op.batch_alter_table('voice_batch', schema=None) as batch_op:
        batch_op.create_index('ix_voice_batch_council_kind', ['council_id', 'kind'], unique=False)

    op.create_table('voice_asks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=True),
    sa.Column('forum', sa.String(length=40), nullable=True),
    sa.Column('raised', sa.Date(), nullable=True),
    sa.Column('you_said', sa.Text(), nullable=True),
    sa.Column('owner', sa.Text(), nullable=True),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=True),
    sa.Column('we_did', sa.Text(), nullable=True),
    sa.Column('pledge', sa.Text(), nullable=True),
    sa.Column('action', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voice_batch.id'], name=op.f('fk_voice_asks_batch_id_voice_batch')),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_asks_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_asks'))
    )
    with op.batch_alter_table('voice_asks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_asks_batch_id'), ['batch_id'], unique=False)

    op.create_table('voice_benchmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('pledge', sa.Text(), nullable=True),
    sa.Column('age_group', sa.String(length=40), nullable=True),
    sa.Column('share', sa.Float(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voice_batch.id'], name=op.f('fk_voice_benchmarks_batch_id_voice_batch')),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_benchmarks_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_benchmarks'))
    )
    with op.batch_alter_table('voice_benchmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_benchmarks_batch_id'), ['batch_id'], unique=False)

    op.create_table('voice_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=100), nullable=True),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('age_group', sa.String(length=40), nullable=True),
    sa.Column('listened_to', sa.Boolean(), nullable=True),
    sa.Column('understood_plan', sa.Boolean(), nullable=True),
    sa.Column('child', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voice_batch.id'], name=op.f('fk_voice_consultations_batch_id_voice_batch')),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_consultations_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_consultations'))
    )
    with op.batch_alter_table('voice_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_consultations_batch_id'), ['batch_id'], unique=False)

    op.create_table('voice_survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('pledge', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voice_batch.id'], name=op.f('fk_voice_survey_questions_batch_id_voice_batch')),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_survey_questions_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_survey_questions'))
    )
    with op.batch_alter_table('voice_survey_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_survey_questions_batch_id'), ['batch_id'], unique=False)

    op.create_table('voice_survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('survey', sa.Text(), nullable=True),
    sa.Column('respondent', sa.Text(), nullable=True),
    sa.Column('question', sa.String(length=100), nullable=True),
    sa.Column('answer', sa.String(length=40), nullable=True),
    sa.Column('age_group', sa.String(length=40), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('child', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('publish', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['voice_batch.id'], name=op.f('fk_voice_survey_responses_batch_id_voice_batch')),
    sa.ForeignKeyConstraint(['council_id'], ['council.id'], name=op.f('fk_voice_survey_responses_council_id_council')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_survey_responses'))
    )
    with op.batch_alter_table('voice_survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voice_survey_responses_batch_id'), ['batch_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('voice_survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_survey_responses_batch_id'))

    op.drop_table('voice_survey_responses')
    with op.batch_alter_table('voice_survey_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_survey_questions_batch_id'))

    op.drop_table('voice_survey_questions')
    with op.batch_alter_table('voice_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_consultations_batch_id'))

    op.drop_table('voice_consultations')
    with op.batch_alter_table('voice_benchmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_benchmarks_batch_id'))

    op.drop_table('voice_benchmarks')
    with op.batch_alter_table('voice_asks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_asks_batch_id'))

    op.drop_table('voice_asks')
    with op.batch_alter_table('voice_batch', schema=None) as batch_op:
        batch_op.drop_index('ix_voice_batch_council_kind')

    op.drop_table('voice_batch')

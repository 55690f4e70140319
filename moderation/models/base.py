"""Declarative base with named constraints, so Alembic batch mode works on SQLite."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Tables the migrations make that no model maps: APScheduler's job store (scheduling/jobs.py)
# and SQLite's audit purge request (migration 3b770c8c6cc9, read only by its triggers).
NOT_MAPPED = {"apscheduler_jobs", "audit_purge"}


def mapped_tables_only(obj, name, type_, reflected, compare_to):
    """For Alembic's comparisons: leave out the tables no model maps, and their indexes."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) not in NOT_MAPPED

"""The outcome figures, already counted (outcomes/tallies.py keeps them, outcomes/figures.py reads
them): one row per (what is counted, day, agency, level of need, concern category), so that any
period and any filter is a sum over at most a few thousand rows, never a scan of the disputes.

- `measure` names what is counted ("raised", "decided", "to_settlement", ...) and `key` which
  kind of it (a panel outcome, a stage, a learning theme; '' when there is one kind).
- `value` is a duration's number of working days (or hundredths of a working hour) for the
  duration histograms, 0 for plain counts.
- `span` says whether the row counts one day or one month ("day" or "month"), `day` being that
  day or the month's first: every count is kept both ways, so a period is its whole months' rows
  and its odd days' rows (at most sixty-two), and a year costs what a month does. The duration
  histograms are kept by month only.
- `agency_id` 0 and `category` '' are the rows for every agency and every category: a dispute
  is counted once in those, once under its agency and once under each of its categories, so that
  no filter needs a join or a DISTINCT. `level` is the dispute's level of need (0 if none).

Rule 13: nothing here names a child; the rows hold only counts.
"""

from datetime import date

from sqlalchemy import Date, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from moderation.models.base import Base

EVERY_AGENCY = 0
EVERY_CATEGORY = ""
DAY, MONTH = "day", "month"
# The measures kept as duration histograms, by month only (a median cannot be summed by day).
DURATIONS = ("to_settlement", "to_decision", "urgent_stage_days", "urgent_stage_hours")


def stage_key(position, name):
    """The key of a count about a stage: its position and name, as `stage_of` reads them."""
    return f"{position}|{name}"


def stage_of(key):
    """(position, name) of a stage's key."""
    position, name = key.split("|", 1)
    return int(position), name


class FigureCount(Base):
    __tablename__ = "figure_count"
    __table_args__ = (
        # The headline figures and the breakdown by category: one measure for every agency (or
        # one) and every category (or one, or each), over a range of days or months.
        PrimaryKeyConstraint("measure", "span", "agency_id", "category", "day", "level", "key",
                             "value", name="pk_figure_count"),
        # The breakdown by agency: one measure and category, each agency, over a range.
        Index("ix_figure_count_by_agency", "measure", "span", "category", "day"),
    )

    measure: Mapped[str] = mapped_column(String(30))
    span: Mapped[str] = mapped_column(String(5))
    key: Mapped[str] = mapped_column(String(250), default="")
    value: Mapped[int] = mapped_column(Integer, default=0)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(Integer, default=EVERY_AGENCY)
    level: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(40), default=EVERY_CATEGORY)
    count: Mapped[int] = mapped_column(Integer, default=0)

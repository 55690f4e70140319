"""The retention job over the whole data set (DATABASE_URL), for bench/run.py: a first run that
anonymises what is due, then a second that finds nothing left, each in a process of its own so
each one's peak memory (getrusage's maxrss) is its own. It changes the data, so bench/run.py
runs it last.

The benchmark's children are born 2012 to 2022 and its disputes close over the ten years to
the day the data was loaded, so on the real today none is due (no child is 25 yet). The runs
are as of AHEAD years later, when nearly half are: the backlog a partnership's first run
would face. A few due disputes are put on legal hold first, so the run skips and counts them.

    .venv/bin/python bench/retention.py            # both runs; one JSON line
    .venv/bin/python bench/retention.py --once     # one run; one JSON line
"""

import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from moderation import create_app  # noqa: E402
from moderation.extensions import db  # noqa: E402
from moderation.models import Dispute, LegalHold, Role, User, UserRole  # noqa: E402
from moderation.retention import anonymise, job  # noqa: E402
from moderation.web.boundary import commit_job  # noqa: E402

AHEAD = 15  # years after the data's last day
HOLDS = 25


def as_of():
    return date.today() + relativedelta(years=AHEAD)


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb():
    """This process's memory now (Linux), beside the peak: what a run kept, if anything."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return None


def _hold_some(today):
    """Put HOLDS due disputes on legal hold (once: a second call finds them held already)."""
    cut_offs = anonymise.CutOffs.on(today)
    if anonymise.held_count(cut_offs):
        return
    manager = db.session.scalar(select(User.id).join(UserRole)
                                .where(UserRole.role == Role.PARTNERSHIP_MANAGER).limit(1))
    for dispute_id in anonymise.due_batch(cut_offs, size=HOLDS):
        db.session.add(LegalHold(dispute_id=dispute_id, placed_by_id=manager,
                                 reason="Benchmark: a practice review"))


def once():
    """One run, timed, on a clock stopped at its day (so what it writes is dated then, as the
    nightly job's would be); what it did, and this process's memory before and after."""
    today = as_of()
    with time_machine.travel(today.isoformat() + " 01:30:00+00:00", tick=False), \
            create_app().app_context():
        commit_job(lambda: _hold_some(today))
        disputes = db.session.scalar(select(func.count(Dispute.id)))
        db.session.commit()
        before = {"peak_mb": _peak_mb(), "resident_mb": _resident_mb()}
        started = time.perf_counter()
        counts = job.run(today).counts
        seconds = time.perf_counter() - started
    return {"as_of": today.isoformat(), "disputes": disputes, "seconds": seconds,
            "counts": counts, "before": before,
            "after": {"peak_mb": _peak_mb(), "resident_mb": _resident_mb()}}


def main():
    if "--once" in sys.argv:
        print(json.dumps(once()))
        return
    runs = []
    for _ in range(2):
        completed = subprocess.run([sys.executable, __file__, "--once"], capture_output=True,
                                   text=True, check=True)
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main()

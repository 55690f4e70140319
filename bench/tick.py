"""One scheduler tick over the whole data set, for bench/run.py: every scheduled job run once,
then all once more, in this process as the scheduler runs them (DATABASE_URL names the data).
The first tick does the day's work (alerts, reminders); the second finds it done. Prints one
JSON line: [job id, first (s), second (s)] per job."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import create_app  # noqa: E402
from moderation.scheduling import jobs


def timed(job_id):
    started = time.perf_counter()
    jobs.run_now(job_id)
    return time.perf_counter() - started


def main():
    jobs.use_app(create_app())
    first = {job.id: timed(job.id) for job in jobs.JOBS}
    second = {job.id: timed(job.id) for job in jobs.JOBS}
    print(json.dumps({"jobs": [[job.id, first[job.id], second[job.id]] for job in jobs.JOBS]}))


if __name__ == "__main__":
    main()

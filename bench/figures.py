"""The dashboard's figures counted afresh over the whole data set (DATABASE_URL), for
bench/run.py: what the first view in each worker waits for once its figures are five minutes
old. Prints one JSON line: seconds for the last three and the last twelve months."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation import create_app  # noqa: E402
from moderation.outcomes import figures as outcomes  # noqa: E402


def main():
    with create_app().app_context():
        outcomes.figures(outcomes.period_for("quarter"))  # a worker that has served before
        seconds = {}
        for kind in ("quarter", "year"):
            started = time.perf_counter()
            outcomes.figures(outcomes.period_for(kind))
            seconds[kind] = time.perf_counter() - started
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()

"""gunicorn's settings, read from the working directory (`gunicorn wsgi:app`).

Each page builds thousands of short-lived ORM objects, so Python's cyclic garbage collector
runs many times a request and rescans everything the app keeps for its lifetime (routes,
templates, mappers). Freezing what exists once the worker starts, and collecting the youngest
generation less often, took about a sixth off the meeting record's time in bench/run.py.
"""

import gc


def post_fork(server, worker):
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)

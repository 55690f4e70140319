"""The app as the benchmark serves and loads it: the product's app plus the benchmark's own
endpoints (bench/endpoints.py) and its data command (`flask --app bench.wsgi bench-data`).

Only bench/run.py uses this entry point; the product's wsgi.py never registers either.
"""

from bench import data, endpoints
from moderation import create_app

app = create_app()
endpoints.register(app)
app.cli.add_command(data.command)

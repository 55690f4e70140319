"""`make run PORT=…` serves the app at that address, and the links in its emails go there too."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def commands_of_make_run(*arguments, **environment):
    """What `make run` would run, without running it (`make -n`)."""
    env = {key: value for key, value in os.environ.items() if key != "BASE_URL"}
    done = subprocess.run(["make", "-n", "run", *arguments], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**env, **environment})
    return done.stdout


def base_url_exported(commands):
    exported = re.findall(r"export BASE_URL='([^']*)'", commands)
    assert len(exported) == 1, commands
    return exported[0]


def test_links_in_emails_follow_the_port_make_run_serves():
    commands = commands_of_make_run("PORT=5051")
    assert "--port 5051" in commands
    assert base_url_exported(commands) == "http://127.0.0.1:5051"
    # The export comes before both processes: the scheduler sends most emails.
    export_at = commands.index("export BASE_URL")
    assert export_at < commands.index("wsgi scheduler") < commands.index("wsgi run")


def test_links_follow_the_host_too():
    commands = commands_of_make_run("HOST=192.0.2.10", "PORT=8080")
    assert base_url_exported(commands) == "http://192.0.2.10:8080"


def test_a_base_url_given_wins_over_the_served_address():
    # Behind a proxy the service is reached at an address of its own.
    commands = commands_of_make_run("PORT=5051", BASE_URL="https://moderation.example.org")
    assert base_url_exported(commands) == "https://moderation.example.org"


def test_the_app_reads_the_base_url_it_is_started_with():
    program = "from moderation import create_app; print(create_app().config['BASE_URL'])"
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, check=True,
                          capture_output=True, text=True,
                          env={**os.environ, "MODERATION_CONFIG": "test",
                               "BASE_URL": "http://127.0.0.1:5051"})
    assert done.stdout.strip().splitlines()[-1] == "http://127.0.0.1:5051"

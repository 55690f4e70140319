"""The scheduler process: the job list in one place (jobs.py) and the job bodies (reminders.py)."""

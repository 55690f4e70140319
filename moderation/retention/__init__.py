"""Data protection (DESIGN.md rule 15): the retention schedule and the nightly job that
anonymises and deletes on it, legal holds, subject access, and the audit log's one purge."""

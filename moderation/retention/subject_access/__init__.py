"""Subject access (UK GDPR Article 15): find every record about one child, and export them.

`search` finds the disputes about the child (exact matches, and possible ones for the officer to
review); `export` gathers everything held in those the officer chose, each by `dispute_data`, and
writes it as JSON or PDF. Its routes are in `blueprint`, registered by the application factory.
"""

from moderation.retention.subject_access.export import as_json, as_pdf, counts, export
from moderation.retention.subject_access.search import Found, Possible, find, load, searched_by

__all__ = ["Found", "Possible", "as_json", "as_pdf", "counts", "export", "find", "load",
           "searched_by"]

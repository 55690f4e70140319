"""HTML to PDF with WeasyPrint: tagged PDF/UA, and only the project's own files fetched."""

from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from moderation.config import PROJECT_ROOT

REPORTS_DIR = PROJECT_ROOT / "reports"
ALLOWED_ROOTS = (REPORTS_DIR, PROJECT_ROOT / "static")
PRINT_CSS = REPORTS_DIR / "print.css"


class OwnFilesFetcher(URLFetcher):
    """Serves files under reports/ and static/ only: a report never reaches the network or
    the rest of the disk, whatever its text contains."""

    def __init__(self):
        super().__init__(allowed_protocols=("file",))

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        path = Path(url2pathname(parsed.path)).resolve()
        if parsed.scheme != "file" or not any(path.is_relative_to(r) for r in ALLOWED_ROOTS):
            raise URLFetchingError(f"Reports may only use the project's own files, not {url}")
        return super().fetch(url, headers)


_print_css = None


def print_stylesheet():
    # Parsed once per process: the stylesheet does not change while the app runs.
    global _print_css
    if _print_css is None:
        _print_css = CSS(filename=str(PRINT_CSS), url_fetcher=OwnFilesFetcher())
    return _print_css


def render(html):
    """PDF bytes for a report's final HTML."""
    document = HTML(string=html, base_url=str(REPORTS_DIR) + "/", url_fetcher=OwnFilesFetcher())
    return document.write_pdf(stylesheets=[print_stylesheet()], pdf_variant="pdf/ua-1")

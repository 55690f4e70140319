"""SVG charts with matplotlib, each with a text alternative that says what it shows.

Uses matplotlib's object API (no pyplot), which keeps no global state and is safe in web
workers. Text stays text in the SVG, so it is searchable in the PDF and scales cleanly.
"""

import functools
import io
import re
from dataclasses import dataclass

from markupsafe import Markup
from matplotlib import rcParams
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "threshold-moderation",  # stable ids: the same data gives the same SVG
    # Ships with matplotlib, so text is measured the same on every machine.
    "font.family": "DejaVu Sans",
    "font.size": 9,
})
BAR_COLOUR = "#1d70b8"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    alt: str


def bar_chart(title, rows, unit="disputes"):
    """A horizontal bar chart of (label, value) rows, largest first as given."""
    return _bar_chart(title, tuple((label, value) for label, value in rows if value is not None),
                      unit)


# Drawing takes matplotlib a quarter of a second; the same figures always make the same SVG, so
# each worker draws a chart once until its figures change.
@functools.lru_cache(maxsize=256)
def _bar_chart(title, rows, unit):
    alt = _alternative(title, rows, unit)
    if not rows:
        return Chart(title, Markup(""), alt)
    figure = Figure(figsize=(6.2, 0.45 * len(rows) + 0.8))
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    labels = [label for label, _ in rows][::-1]
    values = [value for _, value in rows][::-1]
    bars = axes.barh(labels, values, color=BAR_COLOUR)
    axes.bar_label(bars, labels=[_number(v, unit) for v in values], padding=3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values) * 1.2 or 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("%" if unit == "%" else unit.capitalize())
    figure.tight_layout()
    # matplotlib XML-escapes every label it writes, so the SVG is safe to embed as markup.
    return Chart(title, Markup(_svg(figure)), alt)  # noqa: S704


def _svg(figure):
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    # Inline in HTML: drop the XML prologue and doctype; the figure's caption names it.
    text = text[text.index("<svg"):]
    return re.sub(r"<svg ", '<svg aria-hidden="true" focusable="false" ', text, count=1)


def _number(value, unit):
    return f"{value}%" if unit == "%" else str(value)


def _alternative(title, rows, unit):
    if not rows:
        return f"{title}: nothing to show for this period."
    parts = [f"{label}: {_number(value, unit)}" for label, value in rows]
    return f"{title}. " + "; ".join(parts) + "."

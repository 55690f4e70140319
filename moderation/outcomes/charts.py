"""SVG charts with matplotlib, each with a text alternative that says what it shows.

Uses matplotlib's object API (no pyplot), which keeps no global state and is safe in web
workers. Text stays text in the SVG, so it is searchable in the PDF and scales cleanly.

matplotlib styles its SVG with CSS (a <style> element and style attributes); the app's Content
Security Policy (style-src 'self') refuses both in a page, which drew each chart as a black box.
The SVG is rewritten with presentation attributes, which the CSP allows and WeasyPrint reads.
"""

import functools
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses only the SVG matplotlib just wrote
from dataclasses import dataclass

from markupsafe import Markup
from matplotlib import rcParams
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from moderation.web.text import without_controls

rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "threshold-moderation",  # stable ids: the same data gives the same SVG
    # Ships with matplotlib, so text is measured the same on every machine.
    "font.family": "DejaVu Sans",
    "font.size": 9,
    # Labels are names people typed (agencies, themes): "$5 and $10" is text, not mathtext.
    "text.parse_math": False,
})
BAR_COLOUR = "#1d70b8"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    alt: str


def bar_chart(title, rows, unit="disputes"):
    """A horizontal bar chart of (label, value) rows, largest first as given."""
    # A name stored before rule 19 refused control characters would break the SVG (XML cannot
    # hold NUL): it is drawn without them.
    rows = tuple((without_controls(label), value) for label, value in rows if value is not None)
    return _bar_chart(without_controls(title), rows, unit)


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
    if unit == "%":
        # A rate's scale ends at 100%, with room beside the bar for its label.
        axes.set_xlim(0, 115)
        axes.set_xticks([0, 25, 50, 75, 100])
    else:
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
    root = ET.fromstring(text[text.index("<svg"):])  # noqa: S314 - matplotlib's own output
    _drop(root, "metadata")  # matplotlib's RDF credit: nothing a reader sees
    _stylesheet_to_attributes(root)
    for element in root.iter():
        _style_to_attributes(element)
        if element.tag == f"{{{SVG_NS}}}g":
            # Groups' ids (figure_1, axes_1…) repeat in every chart on a page; nothing uses them.
            element.attrib.pop("id", None)
        _plain_names(element)
    # Namespaces written by hand: ElementTree's prefix registry is global, and another library
    # (WeasyPrint registers its own) can take the default prefix, giving <ns0:svg>.
    root.attrib = {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS, **root.attrib,
                   "aria-hidden": "true", "focusable": "false"}
    return ET.tostring(root, encoding="unicode")


def _plain_names(element):
    element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    for name in [name for name in element.attrib if name.startswith(f"{{{XLINK_NS}}}")]:
        element.set(name.replace(f"{{{XLINK_NS}}}", "xlink:"), element.attrib.pop(name))


def _drop(root, tag):
    for parent in root.iter():
        for child in parent.findall(f"{{{SVG_NS}}}{tag}"):
            parent.remove(child)


def _stylesheet_to_attributes(root):
    """matplotlib's <style> holds one rule, `*{stroke-linejoin: round; stroke-linecap: butt}`:
    both properties are inherited, so the same attributes on the root <svg> draw the same."""
    for style in root.iter(f"{{{SVG_NS}}}style"):
        for selector, declarations in re.findall(r"([^{}]+)\{([^}]*)\}", style.text or ""):
            # Anything else from a newer matplotlib needs a look before it is translated.
            if selector.strip() != "*":
                raise ValueError(f"unexpected CSS rule in matplotlib's SVG: {selector}")
            for name, value in _declarations(declarations):
                root.set(name, value)
    _drop(root, "style")
    _drop_empty_defs(root)


def _drop_empty_defs(root):
    for parent in root.iter():
        for defs in parent.findall(f"{{{SVG_NS}}}defs"):
            if len(defs) == 0:
                parent.remove(defs)


def _style_to_attributes(element):
    # Each property matplotlib writes (fill, stroke, stroke-width, font-size, text-anchor…) is
    # also an SVG presentation attribute; a style attribute wins over one, so it replaces it.
    for name, value in _declarations(element.attrib.pop("style", "")):
        element.set(name, value)


def _declarations(css):
    for declaration in css.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            yield name.strip(), value.strip()


def _number(value, unit):
    return f"{value}%" if unit == "%" else str(value)


def _alternative(title, rows, unit):
    if not rows:
        return f"{title}: nothing to show for this period."
    parts = [f"{label}: {_number(value, unit)}" for label, value in rows]
    return f"{title}. " + "; ".join(parts) + "."

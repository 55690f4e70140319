"""Charts as SVG a strict Content Security Policy lets a browser draw: presentation attributes
only, no <style> element and no style attributes (style-src 'self' refuses both inline)."""

import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - parses the app's own SVG

import pytest
from PIL import Image
from weasyprint import HTML

from moderation.outcomes.charts import BAR_COLOUR, SVG_NS, bar_chart

ROWS = [("Uphold CSC's decision", 4), ("Overturn: <b>refer</b> & assess", 2), ("Step down", 1)]


def _svg(title="Outcomes", rows=ROWS, unit="disputes"):
    return str(bar_chart(title, rows, unit).svg)


def _tree(svg):
    return ET.fromstring(svg)  # noqa: S314 - the app's own SVG


def test_the_svg_has_no_inline_css():
    svg = _svg()
    assert "<style" not in svg
    assert "style=" not in svg
    assert "<svg " in svg and "<metadata" not in svg


def test_the_bars_and_text_carry_presentation_attributes():
    root = _tree(_svg(unit="%"))
    bars = [p for p in root.iter(f"{{{SVG_NS}}}path") if p.get("fill") == BAR_COLOUR]
    assert len(bars) == len(ROWS)
    texts = list(root.iter(f"{{{SVG_NS}}}text"))
    assert {t.text for t in texts} >= {"Step down", "4%", "%"}
    assert all(t.get("font-family") and t.get("font-size") for t in texts)
    # matplotlib's one stylesheet rule, set where every element inherits it.
    assert root.get("stroke-linejoin") == "round"
    assert root.get("aria-hidden") == "true"


def test_labels_are_escaped_text_not_markup():
    svg = _svg(title="Escaping")
    assert "&lt;b&gt;refer&lt;/b&gt; &amp; assess" in svg
    assert "<b>" not in svg


def test_the_svg_namespace_survives_other_libraries_registering_prefixes(monkeypatch):
    # ElementTree's prefix registry is global: WeasyPrint and others change it.
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))
    ET.register_namespace("", "http://www.w3.org/1999/xhtml")
    ET.register_namespace("svg", SVG_NS)
    svg = _svg(title="After another library registered prefixes")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "ns0:" not in svg and "svg:" not in svg


def test_no_rows_draw_nothing():
    assert _svg(title="Nothing", rows=[]) == ""


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not "
                    "installed: apt-get install poppler-utils to look at a rendered chart")
def test_weasyprint_draws_the_bars_in_colour(tmp_path):
    pdf = tmp_path / "chart.pdf"
    HTML(string=f"<html lang='en'><body><figure>{_svg()}</figure></body></html>").write_pdf(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", pdf, tmp_path / "chart"],
                   check=True)
    colours = Image.open(tmp_path / "chart.png").convert("RGB").getcolors(maxcolors=1 << 16)
    pixels = sum(n for n, _ in colours)
    blue = sum(n for n, rgb in colours if _near(rgb, BAR_COLOUR))
    dark = sum(n for n, rgb in colours if sum(rgb) < 100)
    assert blue > pixels * 0.005, "the bars are drawn in the bar colour"
    assert dark < pixels * 0.05, "the chart is not a black box"


def _near(rgb, colour):
    target = bytes.fromhex(colour.removeprefix("#"))
    return all(abs(a - b) <= 24 for a, b in zip(rgb, target, strict=True))


def test_a_rate_is_drawn_on_a_scale_that_ends_at_100_percent():
    texts = {t.text for t in _tree(_svg(title="Rates", rows=[("Police", 67)], unit="%"))
             .iter(f"{{{SVG_NS}}}text")}
    assert {"0", "25", "50", "75", "100"} <= texts
    assert not {"105", "120"} & texts

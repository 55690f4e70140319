"""The dashboard's charts as Chromium draws them under the app's CSP, judged by their pixels: a
chart whose styles the CSP refused is drawn as a solid black box, which no markup test sees."""

import io

import pytest
from PIL import Image, ImageStat

from moderation.outcomes.charts import BAR_COLOUR
from tests.browser.conftest import address
from tests.browser.steps import sign_in

pytestmark = pytest.mark.browser


def test_each_chart_on_the_dashboard_is_drawn_in_colour(page, history, make_user):
    sign_in(page, make_user("partnership_manager"))
    page.goto(address("home.partnership"))
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 3
    for index in range(charts.count()):
        image = Image.open(io.BytesIO(charts.nth(index).screenshot())).convert("RGB")
        stats = _colours(image)
        where = f"chart {index + 1} on {page.url}"
        assert stats["spread"] > 50, f"{where} is one flat colour"
        assert stats["dark"] < 0.2, f"{where} is mostly black ({stats['dark']:.0%} dark)"
        assert stats["bar"] > 0.02, f"{where} has no bars in {BAR_COLOUR}"


def _colours(image):
    """How varied the image is, and the share of its pixels that are near-black and bar-blue."""
    pixels = image.width * image.height
    colours = image.getcolors(maxcolors=pixels)
    bar = tuple(bytes.fromhex(BAR_COLOUR.removeprefix("#")))
    return {
        "spread": max(high - low for low, high in ImageStat.Stat(image).extrema),
        "dark": sum(n for n, rgb in colours if sum(rgb) < 120) / pixels,
        "bar": sum(n for n, rgb in colours
                   if all(abs(a - b) <= 24 for a, b in zip(rgb, bar, strict=True))) / pixels,
    }

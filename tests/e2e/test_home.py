"""The home page in a real browser: Japanese, really rendered, accessible, and phone-sized."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo_site")]

# Fonts that carry Japanese glyphs; without one Chromium draws tofu boxes from a Latin font.
JAPANESE_FONT = re.compile(r"IPA|CJK|Gothic|Mincho|Takao|Hiragino|Meiryo|Yu ", re.IGNORECASE)


def _rendered_fonts(page, selector: str) -> list[dict]:
    """The platform fonts Chromium actually used for the element's text (DevTools protocol).

    Unlike ``document.fonts.check()``, which answers true for any font it has no face for, this
    reports what was drawn: family names with glyph counts.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def _open_home(page, live_server):
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    page.evaluate("document.fonts.ready")
    return response


def test_home_page_is_japanese_with_glyphs_that_render(page, live_server):
    _open_home(page, live_server)

    assert page.locator("html").get_attribute("lang") == "ja"
    heading = page.get_by_role("heading", level=1)
    assert heading.is_visible()
    title = heading.inner_text()
    assert "つなぐ" in title or "和泊町" in title, title

    fonts = _rendered_fonts(page, "h1")
    japanese = [f for f in fonts if JAPANESE_FONT.search(f["familyName"]) and f["glyphCount"]]
    assert japanese, f"no Japanese font drew the heading; fonts used: {fonts}"


def test_home_page_has_no_axe_violations(page, live_server):
    _open_home(page, live_server)

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()


def test_home_page_fits_a_360px_phone_without_horizontal_scroll(page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    _open_home(page, live_server)

    scroll_width = page.evaluate("document.documentElement.scrollWidth")

    assert scroll_width <= 360, f"page is {scroll_width}px wide at a 360px viewport"


def test_a_missing_page_is_japanese_and_has_no_axe_violations(page, live_server):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response is not None and response.status == 404
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", level=1).inner_text() == "ページが見つかりません"

    results = Axe().run(page)

    assert results.violations_count == 0, results.generate_report()

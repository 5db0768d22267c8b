"""Server-side SVG charts: accessible, labelled (not colour alone), escaped, with their table."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from reports.cells import SUPPRESSED
from reports.charts import district_map, funnel_chart, retention_curve, score_change

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


def texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


def test_a_chart_is_an_image_named_by_its_title_and_description():
    chart = funnel_chart([("受付", 10), ("参加開始", 4)], title="受付から参加まで")
    root = parse(chart)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "受付から参加まで"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f"{SVG}desc").text == "受付: 10; 参加開始: 4"


def test_funnel_bars_are_proportional_and_labelled():
    root = parse(funnel_chart([("受付", 10), ("同意", 5), ("参加開始", 0)], title="t"))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert len(widths) == 2  # no bar for 0
    assert widths[0] == pytest.approx(2 * widths[1])
    assert texts(root) == ["受付", "10", "同意", "5", "参加開始", "0"]


def test_a_suppressed_value_is_drawn_as_its_label_only():
    root = parse(funnel_chart([("受付", 10), ("同意", SUPPRESSED)], title="t"))
    assert len(list(root.iter(f"{SVG}rect"))) == 1
    assert "*" in texts(root)


def test_labels_are_text_never_markup():
    hostile = '<script>alert(1)</script>"&'
    chart = funnel_chart([(hostile, 3)], title=hostile)
    assert "<script>" not in str(chart.svg)
    root = parse(chart)  # well-formed: the label was escaped
    assert root.find(f"{SVG}title").text == hostile
    assert hostile in texts(root)


def test_retention_curve_points_and_percent_labels():
    chart = retention_curve([(14, 75.0), (42, 50.0), (91, SUPPRESSED), (182, None)], title="継続")
    root = parse(chart)
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 2
    # x grows with the days (14 → 42), y falls as the percentage does (higher on the page)
    assert float(circles[0].get("cx")) < float(circles[1].get("cx"))
    assert float(circles[0].get("cy")) < float(circles[1].get("cy"))
    assert {"75.0%", "50.0%", "*", "14日", "182日"} <= set(texts(root))
    assert chart.rows == [["14日", 75.0], ["42日", 50.0], ["91日", SUPPRESSED], ["182日", None]]


def test_score_change_differs_by_shape_as_well_as_colour():
    chart = score_change(
        [(14, 10.0, 9.5), (42, SUPPRESSED, SUPPRESSED)], title="孤独感", scale=(3, 12)
    )
    root = parse(chart)
    assert len(list(root.iter(f"{SVG}circle"))) == 1  # baseline: a circle
    assert len(list(root.iter(f"{SVG}rect"))) == 1  # follow-up: a square
    assert {"10.0", "9.5", "*", "○ 開始時　■ フォローアップ時"} <= set(texts(root))
    assert chart.headings == ["フォローアップ時点", "開始時（平均）", "フォローアップ時（平均）"]


@dataclass(frozen=True)
class Place:
    """What district_map reads of a resources Area."""

    name: str
    latitude: Decimal
    longitude: Decimal


def area(name, lat, lng):
    return Place(name, Decimal(lat), Decimal(lng))


def test_district_map_places_circles_by_longitude_and_latitude_sized_by_value():
    west, east, north = (
        area("西", "27.39", "128.60"),
        area("東", "27.39", "128.70"),
        area("北", "27.45", "128.65"),
    )
    chart = district_map({west: 4, east: 16, north: 0}, title="掲載数")
    circles = parse(chart).iter(f"{SVG}circle")  # drawn in the order given
    by_name = dict(zip(["西", "東", "北"], circles, strict=True))
    assert (
        float(by_name["西"].get("cx"))
        < float(by_name["北"].get("cx"))
        < float(by_name["東"].get("cx"))
    )
    assert float(by_name["北"].get("cy")) < float(by_name["西"].get("cy"))
    # area ∝ value: 16 is 4 × 4, so its radius beyond the smallest is twice 4's
    r = {name: float(c.get("r")) - 3 for name, c in by_name.items()}
    assert r["東"] == pytest.approx(2 * r["西"])
    assert r["北"] == 0
    assert {"西 4", "東 16", "北 0"} <= set(texts(parse(chart)))
    assert chart.rows == [["西", 4], ["東", 16], ["北", 0]]


def test_district_map_can_suppress_small_counts():
    chart = district_map({area("西", "27.39", "128.60"): 2, area("東", "27.39", "128.70"): 0},
                         title="t", suppress=True, minimum=3)  # fmt: skip
    assert chart.rows == [["西", SUPPRESSED], ["東", 0]]
    assert "西 *" in texts(parse(chart))


def test_the_chart_template_puts_the_numbers_in_a_table_beside_the_picture():
    chart = funnel_chart([("受付", 10), ("同意", None)], title="受付から参加まで")
    html = render_to_string("reports/charts/_chart.html", {"chart": chart})
    assert str(chart.svg) in html
    assert "<figcaption" in html and "受付から参加まで" in html
    assert '<th scope="row">受付</th><td>10</td>' in html
    assert '<th scope="row">同意</th><td>—</td>' in html

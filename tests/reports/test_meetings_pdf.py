"""The packs' PDF: a valid A4 PDF whose Japanese text can be extracted, with the running header
and page numbers, in the embedded TrueType font or the built-in CID font."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.meetings import pdf, selectors
from tests.matching.conftest import *  # noqa: F403 (team_a, coordinator, …)

from .meetings_data import MEETING, build

pytestmark = pytest.mark.django_db

A4_POINTS = (595.2756, 841.8898)


@pytest.fixture
def cases(time_machine, coordinator, other_coordinator):
    return build(time_machine, coordinator, other_coordinator)


def _reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def _fonts(reader: PdfReader) -> set[str]:
    return {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_the_juso_pdf(client, cases, coordinator):
    client.force_login(coordinator)
    query = {"meeting_date": MEETING.isoformat(), "teams": [cases.team_a.pk]}
    response = client.get(reverse("reports_meetings:juso_pdf"), query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="juso-20260610.pdf"'
    reader = _reader(response.content)
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    # Cover, the two sections (each on a new page) and the resource summary.
    assert total >= 4
    for number, text in enumerate(pages, start=1):
        assert "重層的支援会議" in text and "2026年6月10日" in text
        assert "取扱注意" in text
        assert f"{number} / {total}" in text
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            A4_POINTS, abs=0.01
        )
    text = "\n".join(pages)
    for expected in ("1. 決定するプラン", "2. 評価するプラン", "3. 社会資源の充足状況",
                     "MTG-A1", "MTG-A2", "MTG-A3", "MTG-A5", "MTG-A3の目標：週に一度外出する",
                     "新しいプラン（下書き）：承認が必要", "□ 承認", "□ 継続",
                     "評価（会議で記入）", "花の畑", "5回中2回実施", "開始から14日後"):  # fmt: skip
        assert expected in text, expected
    assert "MTG-A4" not in text and "MTG-A7" not in text
    assert reader.metadata.title == "重層的支援会議 資料"
    assert any(name.endswith("+IPAGothic") for name in _fonts(reader))  # embedded subset


def test_a_long_table_splits_and_repeats_its_header(coordinator, team_a):
    """Forty placements do not fit on one page: the table continues with its header row."""
    outcome = selectors.PlacementOutcome(
        activity="花の畑", started_on=MEETING, status="参加中", end_reason="", checkins_done=1,
        checkins_planned=5, scores=(),
    )  # fmt: skip
    flowables = pdf._placements([outcome] * 40)
    content = pdf._build("試験", "試験", flowables)
    pages = [page.extract_text() for page in _reader(content).pages]
    assert len(pages) >= 2
    assert all("終了の理由" in page for page in pages)


def test_the_built_in_font_when_no_font_file(settings, cases, coordinator):
    settings.PDF_FONT_PATH = "/nonexistent/font.ttf"
    pack = selectors.shien_pack(user=coordinator, meeting_date=MEETING, teams=[cases.team_a])
    reader = _reader(pdf.shien_pdf(pack))
    assert "/HeiseiKakuGo-W5" in _fonts(reader)
    assert not any("IPAGothic" in name for name in _fonts(reader))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "支援会議 資料" in text and "MTG-A7の目標：見守りを続ける" in text


def test_html_parts_become_text_and_tables():
    html = (
        "<div><style>p{color:red}</style><h3>未充足の関心</h3><p>地区<strong>別</strong>の件数</p>"
        "<svg><text>グラフの文字</text></svg><table><caption>表1</caption>"
        "<thead><tr><th>地区</th><th>人数</th></tr></thead>"
        "<tbody><tr><td>和泊</td><td>*</td></tr></tbody></table><ul><li>注記</li></ul></div>"
    )
    content = pdf._build("試験", "試験", pdf.html_flowables(html))
    text = "\n".join(page.extract_text() for page in _reader(content).pages)
    for expected in ("未充足の関心", "地区別の件数", "表1", "人数", "和泊", "・注記"):
        assert expected in text, expected
    assert "グラフの文字" not in text and "color" not in text

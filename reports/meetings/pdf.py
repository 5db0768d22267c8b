"""The meeting packs as A4 PDF (ReportLab), from the same structures the HTML pages show.

Japanese text needs a Japanese font: the TrueType file at ``PDF_FONT_PATH`` (IPA Gothic by
default) is embedded, subset, when it is installed; otherwise ReportLab's built-in CID font
``HeiseiKakuGo-W5`` is used, which needs no file (the reader supplies the glyphs). Both keep the
text extractable. Every page carries the meeting and its date, 「取扱注意」 and "page / pages";
each section starts on a new page; tables split between rows and repeat their header row.

The parts other reports provide (the resource summary, the 実績) arrive as their HTML include;
``html_flowables`` turns its headings, paragraphs, lists and tables into the PDF's, so the
include stays the one description of what they show (charts are left to the HTML page, whose
tables carry the same numbers).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .selectors import AnnualPack, JusoPack, PlacementOutcome, PlanEntry, ShienPack

EMBEDDED_FONT = "TsunaguGothic"
BUILTIN_FONT = "HeiseiKakuGo-W5"
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
BOX = "□"


@functools.cache
def _registered_font(path: str) -> str:
    if Path(path).is_file():
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path))
        return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_FONT))
    return BUILTIN_FONT


def font_name() -> str:
    """The font the PDFs use: the configured TrueType file, else the built-in CID font."""
    return _registered_font(settings.PDF_FONT_PATH)


@functools.cache
def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=12),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=14, leading=20, spaceAfter=6),
        "h3": ParagraphStyle(
            "h3", parent=base, fontSize=11, leading=16, spaceBefore=10, spaceAfter=4
        ),
    }


def _style(name: str) -> ParagraphStyle:
    return _styles(font_name())[name]


def _text(value: Any, style: str = "body") -> Paragraph:
    """A paragraph of plain text: escaped, line breaks kept (ReportLab reads markup)."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), _style(style))


def _day(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _table(
    header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float] | None = None
) -> Table:
    """A table that splits between rows and repeats its header on each page."""
    data = [[_text(cell, "cell") for cell in header]]
    data += [[_text(cell, "cell") for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _fields(pairs: Sequence[tuple[str, Any]]) -> Table:
    """Label / value pairs as a two-column grid (labels shaded)."""
    data = [[_text(label, "cell"), _text(value, "cell")] for label, value in pairs]
    table = Table(data, colWidths=[38 * mm, WIDTH - 38 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _writing_box(label: str, height: float) -> Table:
    """An empty framed box to write in at the meeting."""
    table = Table([[_text(label, "small")], [""]], colWidths=[WIDTH], rowHeights=[None, height])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.75, colors.black)]))
    return table


class _NumberedCanvas(Canvas):
    """Draws the running header and "page / pages" once the page count is known."""

    header = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = A4
        font = font_name()
        self.setFont(font, 8.5)
        self.drawString(MARGIN, height - 10 * mm, self.header)
        notice = _("Handle with care")
        self.setFont(font, 10)
        notice_width = self.stringWidth(notice, font, 10)
        self.rect(width - MARGIN - notice_width - 4 * mm, height - 12 * mm,
                  notice_width + 4 * mm, 6 * mm)  # fmt: skip
        self.drawString(width - MARGIN - notice_width - 2 * mm, height - 10 * mm, notice)
        self.setFont(font, 8.5)
        self.drawCentredString(width / 2, 8 * mm, f"{self._pageNumber} / {total}")


def _build(title: str, header: str, story: list[Flowable]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Tsunagu",
        creator="Tsunagu",
    )
    canvas = type("PackCanvas", (_NumberedCanvas,), {"header": header})
    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()


# --- the parts -----------------------------------------------------------------------------


def _decision_line(choices: Sequence[tuple[str, str]]) -> Paragraph:
    marks = "　".join(f"{BOX} {label}" for _code, label in choices)
    return _text(_("Decision: %(choices)s") % {"choices": marks})


def _placements(placements: Sequence[PlacementOutcome]) -> list[Flowable]:
    if not placements:
        return [_text(_("No placements during this plan."))]
    story: list[Flowable] = [
        _table(
            [_("activity"), _("started on"), _("status"), _("why it ended"), _("check-ins")],
            [
                (
                    p.activity,
                    _day(p.started_on),
                    p.status,
                    p.end_reason or "—",
                    _("%(done)s of %(planned)s done")
                    % {"done": p.checkins_done, "planned": p.checkins_planned},
                )
                for p in placements
            ],
            [52 * mm, 27 * mm, 27 * mm, 40 * mm, 34 * mm],
        )
    ]
    for placement in placements:
        if not placement.scores:
            continue
        story += [
            Spacer(0, 3 * mm),
            _text(_("Scores at %(activity)s") % {"activity": placement.activity}, "small"),
            _table(
                [
                    pgettext("meeting papers", "when"),
                    _("due on"),
                    _("UCLA-3 total (3–12)"),
                    _("life satisfaction (0–10)"),
                ],
                [
                    (
                        s.label,
                        _day(s.due_on),
                        s.ucla_total if s.ucla_total is not None else "—",
                        s.life_satisfaction if s.life_satisfaction is not None else "—",
                    )
                    for s in placement.scores
                ],
                [55 * mm, 35 * mm, 45 * mm, 45 * mm],
            ),
        ]
    return story


def _plan(entry: PlanEntry, *, evaluate: bool) -> list[Flowable]:
    case = entry.case
    story: list[Flowable] = [
        _text(f"{case.reference_code}（{case.team}）", "h3"),
        _text("・".join(entry.reasons), "small"),
        _fields(
            [
                (_("age band"), case.age_band or "—"),
                (_("district"), case.district or "—"),
                (_("support fields"), "・".join(case.fields) or "—"),
                (_("status"), entry.status),
                (_("plan written on"), _day(entry.created_on)),
                (_("agreed on"), _day(entry.agreed_on)),
                (_("last reviewed"), _day(entry.reviewed_on)),
                (_("review due"), _day(entry.review_due)),
                (_("goals"), entry.goals or "—"),
                (_("support and roles"), entry.support_details or "—"),
            ]
        ),
    ]
    if evaluate:
        story += [
            Spacer(0, 3 * mm),
            _text(_("What happened"), "small"),
            *_placements(entry.placements),
        ]
    for record in entry.history:
        story.append(
            _text(
                _("%(date)s %(meeting)s: %(decision)s — %(evaluation)s")
                % {
                    "date": _day(record.meeting_date),
                    "meeting": record.meeting,
                    "decision": record.decision,
                    "evaluation": record.evaluation or "—",
                },
                "small",
            )
        )
    story.append(Spacer(0, 3 * mm))
    if entry.decided is not None:
        story.append(
            _text(
                _("Decided at this meeting: %(decision)s — %(evaluation)s")
                % {"decision": entry.decided.decision, "evaluation": entry.decided.evaluation}
            )
        )
    else:
        story += [
            _decision_line(entry.choices),
            _writing_box(_("Evaluation (to fill in at the meeting)"), 28 * mm),
        ]
    return [KeepTogether(story[:3]), *story[3:]]


def _section(title: str, intro: str, blocks: list[Flowable], empty: str) -> list[Flowable]:
    return [PageBreak(), _text(title, "h2"), _text(intro, "small"), *(blocks or [_text(empty)])]


def _missing(title: str, text: str) -> list[Flowable]:
    return [PageBreak(), _text(title, "h2"), _text(text)]


def juso_pdf(pack: JusoPack, *, sufficiency_html: str | None) -> bytes:
    """The 重層的支援会議 pack; ``sufficiency_html`` is the resource summary's include."""
    title = _("Multi-agency support meeting papers")
    header = f"{title}　{_day(pack.meeting_date)}"
    story: list[Flowable] = [
        _text(title, "title"),
        _text(_("Meeting date: %(date)s") % {"date": _day(pack.meeting_date)}),
        _text(_("Teams: %(teams)s") % {"teams": "、".join(pack.teams)}),
        *(
            _text(
                _("Previous meeting of %(team)s: %(date)s")
                % {"team": p.team, "date": _day(p.meeting_date)}
            )
            for p in pack.previous
        ),
        Spacer(0, 4 * mm),
        _table(
            [pgettext("meeting papers", "section"), pgettext("meeting papers", "plans")],
            [
                (_("1. Plans to decide"), len(pack.to_decide)),
                (_("2. Plans to evaluate"), len(pack.to_evaluate)),
            ],
            [120 * mm, 30 * mm],
        ),
        Spacer(0, 4 * mm),
        _text(_handling_notice(), "small"),
    ]
    story += _section(
        _("1. Plans to decide"),
        _("New plans, and plans written or reviewed since the previous meeting."),
        [f for entry in pack.to_decide for f in _plan(entry, evaluate=False)],
        _("No plan to decide."),
    )
    story += _section(
        _("2. Plans to evaluate"),
        _(
            "Plans whose review is due by the meeting date, and plans ended since the previous "
            "meeting."
        ),  # fmt: skip
        [f for entry in pack.to_evaluate for f in _plan(entry, evaluate=True)],
        _("No plan to evaluate."),
    )
    story += _part(_("3. Sufficiency of social resources"), sufficiency_html)
    return _build(title, header, story)


def _part(title: str, html: str | None) -> list[Flowable]:
    if html is None:
        return _missing(title, _("The resource sufficiency summary is not available yet."))
    return [PageBreak(), _text(title, "h2"), *html_flowables(html)]


def _handling_notice() -> str:
    return _(
        "Handle with care: these papers hold personal information shared for this meeting only. "
        "Collect them after the meeting and shred them."
    )


def shien_pdf(pack: ShienPack) -> bytes:
    """The 支援会議 pack: each case in the whitelist of ``selectors.ShienCase`` only."""
    title = _("Support meeting papers")
    header = f"{title}　{_day(pack.meeting_date)}"
    story: list[Flowable] = [
        _text(title, "title"),
        _text(_("Meeting date: %(date)s") % {"date": _day(pack.meeting_date)}),
        _text(_("Teams: %(teams)s") % {"teams": "、".join(pack.teams)}),
        _text(_shien_notice(), "small"),
    ]
    blocks: list[Flowable] = []
    for case in pack.cases:
        profile = case.case
        blocks += [
            _text(f"{profile.reference_code}（{profile.team}）", "h3"),
            _fields(
                [
                    (_("age band"), profile.age_band or "—"),
                    (_("district"), profile.district or "—"),
                    (_("support fields"), "・".join(profile.fields) or "—"),
                    (pgettext("meeting papers", "plan"), case.plan_status or _("No plan yet")),
                    (_("goals"), case.goals or "—"),
                    (_("support being coordinated"), case.support_details or "—"),
                    (_("review due"), _day(case.review_due)),
                    (
                        _("last decision"),
                        f"{case.last_decision}（{_day(case.last_decision_on)}）"
                        if case.last_decision
                        else "—",
                    ),
                ]
            ),
        ]
    story += _section(
        pgettext("meeting papers", "Cases"),
        _("Cases at the support-meeting stage (no consent yet)."),
        blocks,
        _("No case at the support-meeting stage."),
    )
    return _build(title, header, story)


def _shien_notice() -> str:
    return _(
        "Shared without the person's consent under the members' duty of confidentiality "
        "(Social Welfare Act art. 106-6): only what the meeting needs is shown. Do not copy or "
        "take these papers away."
    )


def annual_pdf(
    pack: AnnualPack, *, results_html: str | None, sufficiency_html: str | None
) -> bytes:
    """The 推進会議 pack: the year's 実績 and the resource summary (aggregates only)."""
    title = _("Programme evaluation papers")
    period = _("FY %(year)d (April %(year)d to March %(next)d)") % {
        "year": pack.fiscal_year,
        "next": pack.fiscal_year + 1,
    }
    story: list[Flowable] = [_text(title, "title"), _text(period)]
    if results_html is None:
        story += _missing(_("1. Results"), _("The results (実績) are not available yet."))
    else:
        story += [PageBreak(), _text(_("1. Results"), "h2"), *html_flowables(results_html)]
    story += _part(_("2. Sufficiency of social resources"), sufficiency_html)
    return _build(title, f"{title}　{period}", story)


# --- HTML includes to flowables ----------------------------------------------------------------


class _Flow(HTMLParser):
    """Collects headings, paragraphs, list items and tables; skips SVG, scripts and styles."""

    BLOCKS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h3", "p": "body", "li": "body",
              "caption": "small", "figcaption": "small", "dt": "small", "dd": "body"}  # fmt: skip
    SKIP = {"svg", "script", "style"}

    def __init__(self) -> None:
        super().__init__()
        self.story: list[Flowable] = []
        self._skip = 0
        self._block: tuple[str, list[str]] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag in self.BLOCKS and self._cell is None:
            self._block = (tag, [])
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(self._skip - 1, 0)
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self._table(self._rows)
            self._rows = None
        elif self._block is not None and tag == self._block[0]:
            text = " ".join("".join(self._block[1]).split())
            if text:
                prefix = "・" if tag == "li" else ""
                self.story.append(_text(prefix + text, self.BLOCKS[tag]))
            self._block = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._block is not None:
            self._block[1].append(data)

    def _table(self, rows: list[list[str]]) -> None:
        rows = [row for row in rows if row]
        if not rows:
            return
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        self.story += [_table(rows[0], rows[1:], [WIDTH / width] * width), Spacer(0, 3 * mm)]


def html_flowables(html: str) -> list[Flowable]:
    """The text and tables of an HTML fragment as PDF flowables."""
    parser = _Flow()
    parser.feed(html)
    parser.close()
    return parser.story

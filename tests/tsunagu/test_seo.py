"""Search engines and link previews: sitemap.xml, robots.txt, JSON-LD, Open Graph, descriptions."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from wagtail.models import Page, PageViewRestriction

from events.models import EventIndexPage, EventPage
from resources.models import ActivityPage, DirectoryIndexPage, PlacePage
from volunteers.models import OpportunityPage, VolunteerIndexPage

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _sitemap_paths(client) -> set[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        re.sub(r"^https?://[^/]+", "", loc.text) for loc in root.findall("s:url/s:loc", SITEMAP_NS)
    }


def _ld(html: str) -> list[dict]:
    return [json.loads(block) for block in LD_JSON.findall(html)]


@pytest.mark.usefixtures("sample_town")
@pytest.mark.django_db
class TestSearchEngines:
    def test_sitemap_lists_public_live_pages_only(self, client):
        place, hidden_place, draft_place = PlacePage.objects.live().order_by("pk")[:3]
        event, staff_event = EventPage.objects.live().filter(staff_only=False).order_by("pk")[:2]
        EventPage.objects.filter(pk=staff_event.pk).update(staff_only=True)
        PageViewRestriction.objects.create(page=hidden_place, restriction_type="login")
        draft_place.unpublish()
        paths = _sitemap_paths(client)
        assert {"/", place.url, event.url, DirectoryIndexPage.objects.get().url} <= paths
        assert not {hidden_place.url, draft_place.url, staff_event.url} & paths
        assert not any(path.startswith(("/admin", "/matching", "/followups")) for path in paths)
        home = Page.objects.get(depth=2)
        public = home.get_descendants(inclusive=True).live().public().specific()
        assert paths == {p.url for p in public if not getattr(p, "staff_only", False)}

    def test_robots_txt_keeps_crawlers_out_of_private_paths(self, client):
        response = client.get("/robots.txt")
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        for path in ("/admin/", "/matching/", "/followups/", "/volunteers/me/"):
            assert f"Disallow: {path}" in lines
        assert "Disallow: /volunteers/" not in lines  # opportunities live there
        assert "Sitemap: http://testserver/sitemap.xml" in lines

    def test_json_ld_for_events_places_and_the_organisation(self, client):
        event = EventPage.objects.live().filter(staff_only=False, place__isnull=False).first()
        (data,) = _ld(client.get(event.url).content.decode())
        assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
        assert data["name"] == event.title and data["location"]["@type"] == "Place"
        assert data["startDate"].startswith(event.local_start.date().isoformat())
        place = PlacePage.objects.live().exclude(latitude=None).first()
        (data,) = _ld(client.get(place.url).content.decode())
        assert data["@type"] == "Place" and data["geo"]["@type"] == "GeoCoordinates"
        assert data["address"]["streetAddress"] == place.address
        (data,) = _ld(client.get("/").content.decode())
        assert data["@type"] == "Organization" and data["telephone"] == "0997-84-0000"

    def test_a_title_cannot_break_out_of_the_json_ld(self, client):
        event = EventPage.objects.live().filter(staff_only=False).first()
        title = 'あ</script><script>alert("x")</script>&'
        EventPage.objects.filter(pk=event.pk).update(title=title)
        html = client.get(event.url).content.decode()
        assert '<script>alert("x")' not in html
        (data,) = _ld(html)
        assert data["name"] == title

    def test_open_graph_and_description_on_public_pages(self, client):
        pages = [
            Page.objects.get(depth=2).specific,
            DirectoryIndexPage.objects.get(),
            PlacePage.objects.live().exclude(summary="").first(),
            ActivityPage.objects.live().exclude(summary="").first(),
            EventIndexPage.objects.get(),
            EventPage.objects.live().filter(staff_only=False).exclude(summary="").first(),
            VolunteerIndexPage.objects.get(),
            OpportunityPage.objects.live().exclude(summary="").first(),
        ]
        for page in pages:
            html = client.get(page.url).content.decode()
            assert f'<meta property="og:title" content="{page.title}">' in html, page.url
            assert f'<meta property="og:url" content="http://localhost{page.url}">' in html
            assert '<meta property="og:site_name" content="つなぐ' in html, page.url
            description = re.search(r'<meta name="description" content="([^"]+)">', html)
            assert description, page.url
            summary = getattr(page, "summary", "")
            if summary:
                assert description.group(1) == summary[:160].replace("\n", " ")[:160] or (
                    description.group(1).endswith("…")
                ), page.url

"""Background work for the directory's caches."""

from celery import shared_task
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Site


@shared_task(ignore_result=True)
def purge_frontend_cache() -> None:
    """Empty the HTTP cache in front for every site (resources/caching.invalidate queues this).

    Every site's root with ``*``: the proxy (deploy/varnish.vcl) bans the whole host on any
    PURGE, as CloudFront invalidates ``/*``. Whole hosts because the app's own cache drops every
    page on any change too: a listing's name shows on the directory, the map, the calendar, its
    place's page and the home page, and tracking which pages showed what is not worth the risk
    of a stale one. Wagtail's backends log a proxy that cannot be reached; nothing is raised.
    """
    purge_urls_from_cache([f"{site.root_url}/*" for site in Site.objects.all()])

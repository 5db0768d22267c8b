"""The sample town: site settings, home page, sections and an administrator.

Apps add their own sample content through a ``demo`` module with ``load(stdout)``; the
``load_demo`` command runs them in dependency order after this one.
"""

import json
import secrets
from pathlib import Path
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.models import Page, Site

from .models import HomePage, SectionPage, TownSettings
from .town import WAGTAIL_WELCOME_SLUG, home_page

DATA_FILE = Path(__file__).parent / "demo_data" / "wadomari.json"
ADMIN_USERNAME = "admin"


class RealContentError(Exception):
    """The database holds content the demo did not create; loading would mix the two."""


def has_real_content() -> bool:
    """True when users or pages exist on a site not marked as sample data."""
    if TownSettings.objects.filter(sample_data=True).exists():
        return False
    User = get_user_model()
    if User.objects.exists():
        return True
    return (
        Page.objects.filter(depth__gte=2)
        .exclude(slug=WAGTAIL_WELCOME_SLUG, content_type__model="page")
        .exists()
    )


def _sections(home: HomePage, sections: list[dict]) -> None:
    for section in sections:
        existing = home.get_children().filter(slug=section["slug"]).first()
        if existing is None:
            home.add_child(instance=SectionPage(show_in_menus=True, **section))


def _admin(stdout: TextIO) -> None:
    User = get_user_model()
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        stdout.write(f"管理者 {ADMIN_USERNAME} は作成済みです（パスワードは変更していません）。\n")
        return
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(
        username=ADMIN_USERNAME, email="admin@example.jp", password=password
    )
    stdout.write(
        "管理者アカウントを作成しました。このパスワードは一度だけ表示されます:\n"
        f"  ユーザー名: {ADMIN_USERNAME}\n  パスワード: {password}\n"
    )


@transaction.atomic
def load(stdout: TextIO, *, force: bool = False) -> HomePage:
    """Create or update the sample town; refuse to touch a database with real content."""
    if has_real_content() and not force:
        raise RealContentError
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    home, _changed = home_page(data["home"])
    _sections(home, data["sections"])
    site = Site.objects.get(is_default_site=True)
    TownSettings.objects.update_or_create(site=site, defaults={**data["town"], "sample_data": True})
    _admin(stdout)
    return home

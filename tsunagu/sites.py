"""Towns: one Wagtail ``Site`` per town (issue 17). Teams and districts belong to a site.

The helpers here are shared by the apps (a town's teams in matching/, its districts in
resources/) and are deliberately tiny: they only answer "which site".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wagtail.models import Page, Site


def town_field(*, related_name: str) -> Any:
    """The ``site`` column of a town's rows (teams, districts): the default site unless given;
    PROTECT, so a town with rows cannot be deleted by accident."""
    from django.db import models
    from django.utils.translation import gettext_lazy as _

    return models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("town (site)"),
        on_delete=models.PROTECT,
        related_name=related_name,
        default=default_site_id,
    )


def default_site_id() -> int | None:
    """The default site's id: the town of a team or district created without one.

    A column default, so the code that predates several towns (factories, the demo, the admin's
    forms) keeps working on a single-town install; None only before Wagtail made its site.
    """
    return Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()


def town_page(model: type[Page], site: Site | None) -> Page | None:
    """The live public page of ``model`` in ``site``'s tree: a town's directory, calendar or
    volunteer index (one per home page, ``max_count_per_parent``). Never another town's; the
    install's first only when no site is known (no request)."""
    pages = model.objects.live().public()
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    return pages.order_by("path").first()


def staff_sites(user: Any) -> Any:
    """The towns (sites) whose staff ``user`` is: those whose pages their groups may publish
    (town staff may, under their own town's indexes; community group editors never); every
    town for a superuser. On an install of one town, any such right counts (its pages may sit
    outside the site's root). A queryset, so it costs no query of its own as a subquery."""
    from django.db.models import Exists, OuterRef, Q
    from wagtail.models import GroupPagePermission

    sites = Site.objects.all()
    if user.is_superuser:
        return sites
    granted = GroupPagePermission.objects.filter(
        group__user=user, permission__codename="publish_page"
    )
    in_town = granted.filter(page__path__startswith=OuterRef("root_page__path"))
    only_town = ~Exists(Site.objects.exclude(pk=OuterRef("pk")))
    return sites.filter(Q(Exists(in_town)) | (Q(only_town) & Q(Exists(granted))))


def site_option(parser: Any, *, help: str | None = None) -> None:
    """The ``--site HOSTNAME`` option of the commands that work on one town's rows; ``help``
    for a command whose default is not the default site."""
    parser.add_argument(
        "--site",
        metavar="HOSTNAME",
        help=help or "The town's site (its host name); default: the default site.",
    )


def site_from_option(hostname: str | None) -> Site:
    """``--site``'s site, or a Japanese ``CommandError`` naming the sites there are."""
    from django.core.management.base import CommandError
    from django.utils.translation import gettext as _

    try:
        return site_for_hostname(hostname)
    except Site.DoesNotExist:
        names = ", ".join(Site.objects.order_by("hostname").values_list("hostname", flat=True))
        raise CommandError(
            _("There is no site “%(hostname)s”. Sites: %(names)s")
            % {"hostname": hostname or "", "names": names or "-"}
        ) from None


def site_for_hostname(hostname: str | None) -> Site:
    """The site at ``hostname`` (any port), or the default site when None.

    Raises ``Site.DoesNotExist`` for an unknown name: the commands turn it into their error.
    """
    sites = Site.objects.all()
    if hostname:
        site = sites.filter(hostname=hostname.lower()).order_by("port").first()
    else:
        site = sites.filter(is_default_site=True).first()
    if site is None:
        raise Site.DoesNotExist
    return site


def fill_default_site(app_label: str, model_name: str) -> Callable[[Any, Any], None]:
    """A data migration's step: give every existing row of the model the default site.

    Uses the historical models (``apps``), so it stays true to the schema of its migration; on
    an empty database it does nothing.
    """

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        rows = model.objects.filter(site__isnull=True)
        if not rows.exists():
            return
        sites = apps.get_model("wagtailcore", "Site").objects
        site = sites.filter(is_default_site=True).first() or sites.order_by("pk").first()
        if site is None:
            raise RuntimeError(f"{app_label}.{model_name} rows exist but there is no Wagtail site.")
        rows.update(site=site)

    return forwards


def site_field_operations(app_label: str, model_name: str, *, related_name: str) -> list[Any]:
    """The migration steps that give a model a town: a nullable ``site``, filled with the
    default site, then made required (teams, districts, community groups)."""
    from django.db import migrations, models

    def site_field(**options: Any) -> models.ForeignKey:
        return models.ForeignKey(
            on_delete=models.PROTECT,
            related_name=related_name,
            to="wagtailcore.site",
            verbose_name="town (site)",
            **options,
        )

    model = model_name.lower()
    return [
        migrations.AddField(model_name=model, name="site", field=site_field(null=True)),
        migrations.RunPython(fill_default_site(app_label, model_name), migrations.RunPython.noop),
        migrations.AlterField(
            model_name=model, name="site", field=site_field(default=default_site_id)
        ),
    ]


def site_operations(
    app_label: str, model_name: str, *, related_name: str, name_length: int, constraint: str
) -> list[Any]:
    """The migration that gives a model of named rows (teams, districts) a town
    (``site_field_operations``) and makes the name unique per site instead of everywhere.
    Written once for both apps' migrations."""
    from django.db import migrations, models

    model = model_name.lower()
    return [
        *site_field_operations(app_label, model_name, related_name=related_name),
        migrations.AlterField(
            model_name=model,
            name="name",
            field=models.CharField(max_length=name_length, verbose_name="name"),
        ),
        migrations.AddConstraint(
            model_name=model,
            constraint=models.UniqueConstraint(fields=("site", "name"), name=constraint),
        ),
    ]


def town_name(site: Site) -> str:
    """The town's name as people say it (「知名町」): its settings' municipality, else the
    site's name or host name (as ``tsunagu.island`` names towns)."""
    from tsunagu.models import TownSettings

    settings = TownSettings.objects.filter(site=site).first()
    return (settings.town_name if settings else "") or site.site_name or site.hostname

"""``manage.py setup_community``: each town's staff group and approval workflow, groups' sections.

Idempotent; run after creating the directory, calendar and volunteer index, or after adding
organisations in bulk (an invitation also makes an organisation's sections on demand).
"""

from django.core.management.base import BaseCommand, CommandParser
from wagtail.models import Site

from resources.models import Organization

from ... import services


class Command(BaseCommand):
    help = "Creates the town staff group, the approval workflow and organisations' sections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-organizations",
            action="store_true",
            help="Also give every organisation its sections and editors group.",
        )

    def handle(self, *args, all_organizations: bool = False, **options) -> None:
        towns = {services.town_site(site) for site in Site.objects.all()}
        for site in sorted(towns, key=lambda site: (not site.is_default_site, site.pk)):
            # Each town its own staff group and workflow; a site with no index yet waits.
            if site.is_default_site or services.indexes(site):
                workflow = services.ensure_moderation(site)
                self.stdout.write(f"ワークフロー「{workflow.name}」を設定しました。\n")
        if all_organizations:
            organizations = list(Organization.objects.order_by("pk"))
            for organization in organizations:
                services.ensure_sections(organization)
            self.stdout.write(f"{len(organizations)} 団体のページを用意しました。\n")

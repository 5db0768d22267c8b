"""``manage.py propose CLIENT_REF [--top N] [--format json|text] [--by USERNAME]``."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from matching.access import can_write_client
from matching.audit import client_log
from matching.management.base import ActorCommand
from matching.models import Client
from matching.selectors import RankedActivity, client_ranking


def ranked_json(ranked: RankedActivity) -> dict[str, Any]:
    """A candidate as scripts see it: the directory's ids (external and HSDS), never a name."""
    return {
        "activity": {
            "id": ranked.activity_id,
            "external_id": ranked.external_id,
            "hsds_id": ranked.hsds_id,
            "title": ranked.title,
        },
        "score": ranked.score,
        "reasons": list(ranked.reasons),
        "breakdown": ranked.breakdown,
    }


class Command(ActorCommand):
    help = (
        "Ranks the activities a client could be proposed for (hard constraints applied), with "
        "scores and reasons; the client is given by reference code or external ID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("client_ref")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, client_ref: str, top: int, format: str, **options: Any) -> None:
        actor = self.actor(options["by"])
        if top < 1:
            raise CommandError(_("--top must be at least 1."))
        visible = Client.objects.visible_to(actor)
        client = (
            visible.filter(reference_code=client_ref).first()
            or visible.filter(external_id=client_ref).first()
        )
        if client is None:
            raise CommandError(_("There is no client “%(ref)s” you can see.") % {"ref": client_ref})
        if not can_write_client(actor, client):
            # Ranking is the first step of a proposal: for the client's own team, like the page.
            raise CommandError(
                _("You may not change the client %(code)s.") % {"code": client.reference_code}
            )
        latest = client.latest_consent()
        if latest is None or not latest.allows_placement:
            raise CommandError(
                _("No consent from the person (or it was withdrawn): no proposal or placement.")
            )
        ranking = client_ranking(client=client, top=top)
        client_log(client=client, action="matching.client.propose", by=actor, via="command")
        if format == "json":
            payload = {
                "client": client.reference_code,
                "proposals": [ranked_json(r) for r in ranking.activities],
                "considered": ranking.considered,
                "excluded": ranking.excluded,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for position, r in enumerate(ranking.activities, start=1):
            ident = r.external_id or r.hsds_id
            # The fit in words: a raw score means nothing to a coordinator.
            self.stdout.write(f"{position}. {r.title} [{ident}] {r.fit}")
            for reason in r.reasons:
                self.stdout.write(f"   - {reason}")
        if not ranking.activities:
            self.stdout.write(
                _("No activity meets the person's conditions (%(count)s looked at):")
                % {"count": ranking.considered}
            )
            for line in ranking.exclusion_lines():
                self.stdout.write(f"   - {line}")

"""``manage.py assign_batch [--format json|text] [--by USERNAME]``: the monthly meeting's plan."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from matching.access import client_access
from matching.audit import client_log_many
from matching.management.base import ActorCommand
from matching.models import Client
from matching.selectors import batch_plan, waiting_clients

from .propose import ranked_json


class Command(ActorCommand):
    help = (
        "Assigns every waiting client (consent given, no open proposal or placement) to at most "
        "one activity, within places left, maximising the total score. Writes nothing but the "
        "audit log: the plan is for the coordinators' meeting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, format: str, **options: Any) -> None:
        actor = self.actor(options["by"])
        if not client_access(actor).can_write:
            raise CommandError(_("You may not change any client's records."))
        # Only the clients the actor may propose for: a supervisor plans for their own team.
        writable = Client.objects.writable_by(actor)
        clients = list(waiting_clients(writable).order_by("reference_code"))
        plan = batch_plan(clients=clients)
        client_log_many(clients=clients, action="matching.client.propose", by=actor, via="batch")
        if format == "json":
            payload = {
                "assignments": [
                    {"client": client.reference_code, **ranked_json(ranked)}
                    for client, ranked in sorted(
                        plan.placements.items(), key=lambda item: item[0].reference_code
                    )
                ],
                "unassigned": [client.reference_code for client in plan.unassigned],
                "total_score": plan.total_score,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for client, ranked in sorted(plan.placements.items(), key=lambda i: i[0].reference_code):
            self.stdout.write(f"{client.reference_code} → {ranked.title} ({ranked.score:.3f})")
        for client in plan.unassigned:
            self.stdout.write(f"{client.reference_code} → " + _("no suitable place"))
        self.stdout.write(_("Total score: %(total).3f") % {"total": plan.total_score})

"""Participation-support records: personal data (要配慮個人情報), so plain models behind one
scoping method (``Client.objects.visible_to(user)``), never Wagtail pages or search indexes."""

from .audit import ClientLogEntry
from .clients import AgeBand, Client, ClientQuerySet, Consent, PlanDecision, SupportPlan
from .notices import AnswerSeen
from .placements import Placement, PlacementStatusChange, Proposal
from .referrals import Referral
from .teams import Team, TeamMembership

__all__ = [
    "AgeBand",
    "AnswerSeen",
    "Client",
    "ClientLogEntry",
    "ClientQuerySet",
    "Consent",
    "Placement",
    "PlacementStatusChange",
    "PlanDecision",
    "Proposal",
    "Referral",
    "SupportPlan",
    "Team",
    "TeamMembership",
]

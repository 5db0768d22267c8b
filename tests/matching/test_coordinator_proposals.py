"""The proposals a coordinator is offered: never where the person takes part now or where a host
said no this season (one page, the batch and the command alike), explained in words rather than
scores and ids, with the activities one condition away underneath."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import reset_queries
from django.utils import timezone

from matching import engine, services
from matching.assignment import assign
from matching.models import Client, Consent, Placement, Proposal
from matching.selectors import batch_plan, client_rank, waiting_clients
from resources.models import Term
from tests.resources.factories import TermFactory

from .factories import ClientFactory, consent, host_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def gardening(db):
    return TermFactory(name="園芸", kind=Term.Kind.INTEREST)


@pytest.fixture
def cooking(db):
    return TermFactory(name="料理", kind=Term.Kind.INTEREST)


@pytest.fixture
def garden(gardening, cooking):
    """The best fit for the person: both interests, Wednesday mornings."""
    return host_activity(
        title="花と畑の会", external_id="WD-A-01", tags=[gardening, cooking], placement_capacity=5
    )


@pytest.fixture
def salon(db):
    return host_activity(title="おしゃべりサロン", external_id="WD-A-02", placement_capacity=5)


@pytest.fixture
def person(consented, gardening, cooking) -> Client:
    consented.interests.add(gardening, cooking)
    return consented


def ranked_ids(person: Client) -> list[int]:
    return [r.activity_id for r in client_rank(client=person, top=10)]


def decline(person: Client, activity, by, *, days_ago: int = 0) -> Proposal:
    proposal = services.proposal_create(client=person, activity_id=activity.pk, by=by)
    services.proposal_update(proposal=proposal, summary="畑が好きな方です", by=by)
    services.proposal_send(proposal=proposal, by=by)
    services.proposal_respond(proposal_id=proposal.pk, accept=False)
    when = timezone.now() - dt.timedelta(days=days_ago)
    Proposal.objects.filter(pk=proposal.pk).update(responded_at=when, created_at=when)
    return proposal


# --- never the same activity again -----------------------------------------------------------


@pytest.mark.parametrize("status", ["proposed", "accepted", "active", "paused"])
def test_an_activity_the_person_is_placed_in_is_never_proposed(
    person, garden, salon, coordinator, status
):
    assert ranked_ids(person) == [garden.pk, salon.pk]
    placement = services.placement_create(client=person, activity=garden, by=coordinator)
    if status != "proposed":
        services.placement_accept(placement=placement, by=coordinator)
    if status in ("active", "paused"):
        services.placement_activate(placement=placement, by=coordinator)
    if status == "paused":
        services.consent_withdraw(client=person, obtained_on=timezone.localdate(), by=coordinator,
                                  reason="一時的に撤回", placements="pause")  # fmt: skip
        consent(person, coordinator)
    assert Placement.objects.get().status == status
    assert ranked_ids(person) == [salon.pk]


def test_a_closed_placement_does_not_keep_the_activity_out(person, garden, salon, coordinator):
    placement = services.placement_create(client=person, activity=garden, by=coordinator)
    services.placement_close(placement=placement, status="ended", reason="日程が合わず",
                             end_reason="other", by=coordinator)  # fmt: skip
    assert ranked_ids(person) == [garden.pk, salon.pk]


def test_a_host_that_said_no_this_season_is_not_asked_again(
    person, garden, salon, coordinator, settings
):
    settings.MATCHING_DECLINED_EXCLUDE_DAYS = 180
    decline(person, garden, coordinator, days_ago=179)
    assert ranked_ids(person) == [salon.pk]
    with pytest.raises(services.MatchingError):
        services.proposal_create(client=person, activity_id=garden.pk, by=coordinator)


def test_a_no_from_an_earlier_season_only_lowers_the_rank(person, garden, salon, coordinator):
    decline(person, garden, coordinator, days_ago=181)
    ranked = client_rank(client=person, top=10)
    (again,) = [r for r in ranked if r.activity_id == garden.pk]
    assert "以前の季節に見送りあり（順位を下げています）" in again.reasons


def test_the_batch_leaves_out_this_seasons_no(team_a, coordinator, garden, gardening, cooking):
    waiting = ClientFactory(team=team_a)
    waiting.interests.add(gardening, cooking)
    consent(waiting, coordinator)
    other = host_activity(title="料理教室", tags=[cooking], placement_capacity=5)
    plan = batch_plan(clients=waiting_clients(Client.objects.filter(pk=waiting.pk)))
    assert plan.placements[waiting].activity_id == garden.pk
    decline(waiting, garden, coordinator, days_ago=10)
    plan = batch_plan(clients=waiting_clients(Client.objects.filter(pk=waiting.pk)))
    assert plan.placements[waiting].activity_id == other.pk


def test_the_engine_batch_respects_each_clients_history():
    vocab = engine.Vocabulary([engine.Term(id=1, name="園芸", kind=engine.TermKind.INTEREST)])
    best = engine.Candidate(id="a", kind=engine.CandidateKind.ACTIVITY, title="",
                            tags=frozenset({1}), capacity_left=5)  # fmt: skip
    plain = engine.Candidate(id="b", kind=engine.CandidateKind.ACTIVITY, title="", capacity_left=5)
    clients = [
        engine.ClientProfile(id=0, interests=frozenset({1}), placed_candidate_ids=frozenset({"a"})),
        engine.ClientProfile(
            id=1, interests=frozenset({1}), declined_recently_ids=frozenset({"a"})
        ),
        engine.ClientProfile(id=2, interests=frozenset({1})),
    ]
    result = assign(clients, [best, plain], vocab)
    assert {i: p.candidate_id for i, p in result.placements.items()} == {0: "b", 1: "b", 2: "a"}


def test_the_propose_command_leaves_them_out_too(person, garden, salon, coordinator):
    services.placement_create(client=person, activity=garden, by=coordinator)
    out = io.StringIO()
    call_command("propose", person.reference_code, "--format", "json", stdout=out)
    ids = [p["activity"]["id"] for p in json.loads(out.getvalue())["proposals"]]
    assert ids == [salon.pk]


@pytest.mark.usefixtures("sample_town")
class TestTheDemoTown:
    def test_sample_001_is_not_offered_the_activities_she_takes_part_in(self):
        sample = Client.objects.get(reference_code="SAMPLE-001")
        placed = set(
            sample.placements.filter(status__in=Placement.OPEN).values_list(
                "activity_id", flat=True
            )
        )
        assert placed
        assert not placed & set(ranked_ids(sample))

    def test_sample_008_is_not_offered_the_activity_that_said_no(self):
        sample = Client.objects.get(reference_code="SAMPLE-008")
        declined = set(
            sample.proposals.filter(status="declined").values_list("activity_id", flat=True)
        )
        assert declined
        assert not declined & set(ranked_ids(sample))


# --- in words, not numbers -------------------------------------------------------------------


def test_the_proposals_page_explains_in_words_without_scores_or_ids(
    client, person, garden, salon, coordinator
):
    ranked = client_rank(client=person, top=10)
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{person.pk}/propose/").content.decode()
    for words in ("関心が2つ一致（園芸・料理）", "水曜の朝に参加可能", "よく合う", "条件は満たす"):
        assert words in page, words
    for number in (f"{r.score:.2f}" for r in ranked):
        assert number not in page
    assert "WD-A-01" not in page and "WD-A-02" not in page
    assert page.index(garden.title) < page.index(salon.title)  # the rank order


def test_a_proposal_and_the_client_page_show_no_score(client, person, garden, coordinator):
    proposal = services.proposal_create(client=person, activity_id=garden.pk, by=coordinator)
    client.force_login(coordinator)
    for url in (f"/admin/clients/proposals/{proposal.pk}/", f"/admin/clients/{person.pk}/"):
        page = client.get(url).content.decode()
        assert f"{proposal.score:.2f}" not in page and "スコア" not in page, url
    page = client.get(f"/admin/clients/proposals/{proposal.pk}/").content.decode()
    assert "合い方: よく合う" in page and "関心が2つ一致（園芸・料理）" in page


def test_the_fit_bands_read_in_plain_words():
    from matching.selectors import fit_label

    assert [fit_label(s) for s in (0.9, 0.5, 0.49, 0.3, 0.1)] == [
        "よく合う", "よく合う", "合う", "合う", "条件は満たす"
    ]  # fmt: skip


def test_the_proposals_page_takes_a_fixed_number_of_queries(
    client, person, gardening, coordinator, django_assert_max_num_queries
):
    host_activity(title="最初の会", tags=[gardening])
    host_activity(title="最初の受け入れなし", tags=[gardening], accepts_placements=False)
    url = f"/admin/clients/{person.pk}/propose/"
    client.force_login(coordinator)
    client.get(url)
    reset_queries()  # the log keeps 9,000 queries: creating pages fills it
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    baseline = len(few)  # before reset_queries() empties the log it reads
    for n in range(6):
        host_activity(title=f"会{n}", tags=[gardening])
        host_activity(title=f"受け入れなし{n}", tags=[gardening], accepts_placements=False)
    client.get(url)  # the candidate pool is rebuilt once after the directory changed
    reset_queries()
    with django_assert_max_num_queries(baseline):
        page = client.get(url).content.decode()
    assert "会5" in page and page.count("参加支援の受け入れをしていません") == 5  # the first five


# --- one condition away ----------------------------------------------------------------------


def test_near_misses_are_listed_under_the_proposals_with_their_reason(
    client, person, garden, gardening, coordinator
):
    host_activity(title="公民館の園芸クラブ", tags=[gardening], accepts_placements=False)
    host_activity(title="土曜の園芸", tags=[gardening],
                  schedule=[{"weekday": 5, "opens_at": "13:00", "closes_at": "15:00"}])  # fmt: skip
    host_activity(title="遠くて土曜", tags=[gardening], accepts_placements=False,
                  schedule=[{"weekday": 5, "opens_at": "13:00", "closes_at": "15:00"}])  # fmt: skip
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{person.pk}/propose/").content.decode()
    section = page[page.index("条件があと一つで合う活動") :]
    assert "公民館の園芸クラブ" in section and "参加支援の受け入れをしていません" in section
    assert "土曜の園芸" in section and "ご本人の参加できる時間と合いません" in section
    assert "遠くて土曜" not in page  # two conditions away: not a near miss
    assert page.index("花と畑の会") < page.index("条件があと一つで合う活動")


def test_no_near_miss_no_section(client, person, garden, coordinator):
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{person.pk}/propose/").content.decode()
    assert "条件があと一つで合う活動" not in page


def test_without_consent_neither_proposals_nor_near_misses(client, person, gardening, coordinator):
    host_activity(title="公民館の園芸クラブ", tags=[gardening], accepts_placements=False)
    consent(person, coordinator, stage=Consent.Stage.WITHDRAWN)
    client.force_login(coordinator)
    page = client.get(f"/admin/clients/{person.pk}/propose/").content.decode()
    assert "公民館の園芸クラブ" not in page

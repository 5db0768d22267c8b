"""One meaning for offers: the directory template's yes/no columns, the listing's flags and the
配慮 terms are one concept (resources.OfferTerm), and when nothing fits the matcher says why."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from matching import selectors
from resources.importing.directory_csv import COLUMNS
from resources.models import ActivityPage, OfferTerm, Term
from tests.resources.factories import TermFactory, directory_page

from .factories import host_activity

pytestmark = pytest.mark.django_db


def import_directory(tmp_path: Path, **cells: str) -> ActivityPage:
    """One activity through the town's CSV template, published, taking placements."""
    row = {
        "活動ID": "A-001",
        "活動名": "ゆんぬ体操",
        "曜日": "水",
        "開始時刻": "9:00",
        "終了時刻": "11:00",
        "参加支援の受け入れ": "○",
        "受け入れ人数": "2",
        **cells,
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / "活動一覧.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    directory_page()
    call_command("import_directory", str(path), "--live", stdout=io.StringIO())
    return ActivityPage.objects.get(external_id="A-001")


def ranked_ids(person) -> list[int]:
    return [r.activity_id for r in selectors.client_rank(client=person)]


@pytest.mark.parametrize(
    ("column", "cell", "word"),
    [
        ("設備・配慮", "車いす", "車いす"),
        ("設備・配慮", "送迎", "送迎"),
        ("参加しやすさ", "付き添い可", "付き添い"),
    ],
)
def test_a_template_column_meets_the_clients_accommodation_of_the_same_word(
    tmp_path, consented, column, cell, word
):
    """The issue's town: 「車いす」 in the template and as the client's 配慮 gave no proposal."""
    need = TermFactory(name=word, kind=Term.Kind.ACCOMMODATION)
    consented.accommodations.add(need)
    activity = import_directory(tmp_path, **{column: cell})
    assert ranked_ids(consented) == [activity.pk]
    plain = host_activity(title="何もない会場")
    assert plain.pk not in ranked_ids(consented)


def test_a_tag_meets_it_as_well_as_a_flag(consented):
    wheelchair = TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION)
    consented.accommodations.add(wheelchair)
    tagged = host_activity(title="タグの会場", tags=[wheelchair])
    flagged = host_activity(title="段差のない会場", barrier_free=True)
    assert sorted(ranked_ids(consented)) == sorted([tagged.pk, flagged.pk])


def test_the_town_edits_the_mapping_and_the_matcher_follows(consented):
    wheelchair = TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION)
    consented.accommodations.add(wheelchair)
    parking_only = host_activity(title="駐車場のある会場", parking=True)
    assert ranked_ids(consented) == []
    OfferTerm.objects.create(flag=OfferTerm.Flag.PARKING, term="歩行器")  # not in the vocabulary
    assert ranked_ids(consented) == []
    OfferTerm.objects.create(flag=OfferTerm.Flag.PARKING, term="車いす")
    assert ranked_ids(consented) == [parking_only.pk]
    OfferTerm.objects.filter(flag=OfferTerm.Flag.PARKING).delete()
    assert ranked_ids(consented) == []


def test_the_defaults_come_back_when_the_mapping_is_emptied():
    from resources.models.vocabulary import DEFAULT_OFFER_TERMS, seed_default_offer_terms

    OfferTerm.objects.all().delete()
    seed_default_offer_terms()
    expected = {(f, t) for f, terms in DEFAULT_OFFER_TERMS.items() for t in terms}
    assert set(OfferTerm.objects.values_list("flag", "term")) == expected
    OfferTerm.objects.filter(flag="parking").delete()
    seed_default_offer_terms()  # a town's edit stays
    assert not OfferTerm.objects.filter(flag="parking").exists()


def test_a_word_that_is_no_accommodation_term_is_refused_in_japanese():
    TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION, synonyms="車椅子")
    TermFactory(name="農作業", kind=Term.Kind.INTEREST)
    OfferTerm(flag=OfferTerm.Flag.BARRIER_FREE, term="車椅子").clean()  # a synonym will do
    for word in ("くるまいす", "農作業"):
        with translation.override("ja"), pytest.raises(ValidationError) as refused:
            OfferTerm(flag=OfferTerm.Flag.BARRIER_FREE, term=word).clean()
        assert "用語集" in str(refused.value.message_dict["term"])


# --- when nothing fits ------------------------------------------------------------------------


@pytest.fixture
def nothing_fits(consented):
    """Wednesday mornings and a wheelchair; the activities fail one condition or two."""
    consented.accommodations.add(TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION))
    thursday = [{"weekday": 3, "opens_at": "13:00", "closes_at": "15:00"}]
    host_activity(title="木曜の会", schedule=thursday, barrier_free=True)
    host_activity(title="木曜の会2", schedule=thursday)
    host_activity(title="水曜の会")
    return consented


def test_propose_says_which_condition_kept_how_many_out(nothing_fits):
    out = io.StringIO()
    call_command("propose", nothing_fits.reference_code, stdout=out)
    text = out.getvalue()
    assert "3" in text.splitlines()[0]
    assert "   - 必要な配慮がない: 2件" in text
    assert "   - 参加できる曜日・時間帯が合わない: 2件" in text
    out = io.StringIO()
    call_command("propose", nothing_fits.reference_code, "--format", "json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["proposals"] == []
    assert payload["excluded"] == {"schedule": 2, "accommodation": 2}


def test_propose_prints_the_fit_in_words_not_the_score(consented):
    host_activity(title="花の畑")
    out = io.StringIO()
    call_command("propose", consented.reference_code, stdout=out)
    first = out.getvalue().splitlines()[0]
    assert first.startswith("1. 花の畑 [")
    fit = selectors.client_rank(client=consented)[0]
    assert first.endswith(fit.fit) and f"{fit.score:.3f}" not in first


def test_the_admin_screen_says_why_in_bounded_queries(
    client, nothing_fits, coordinator, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = f"/admin/clients/{nothing_fits.pk}/propose/"
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        page = client.get(url).content.decode()
    # Read now: the captured list is a slice of the log the next request clears.
    queries = len(few.captured_queries)
    assert "必要な配慮がない: 2件" in page
    assert "参加できる曜日・時間帯が合わない: 2件" in page
    for n in range(10):  # more activities excluded: not one query more
        host_activity(
            title=f"木曜の会{n + 3}",
            schedule=[{"weekday": 3, "opens_at": "13:00", "closes_at": "15:00"}],
        )
    client.get(url)
    with django_assert_max_num_queries(queries):
        page = client.get(url).content.decode()
    assert "必要な配慮がない: 12件" in page


def test_who_cannot_see_the_client_sees_no_reasons(client, nothing_fits, other_coordinator, editor):
    for user in (other_coordinator, editor):
        client.force_login(user)
        response = client.get(f"/admin/clients/{nothing_fits.pk}/propose/")
        assert response.status_code in (302, 403, 404)
        assert "必要な配慮がない" not in response.content.decode()


def test_the_town_edits_the_mapping_in_the_admin(client, admin_user):
    TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION)
    client.force_login(admin_user)
    page = client.get("/admin/snippets/resources/offerterm/").content.decode()
    assert "付き添い可" in page
    response = client.post(
        "/admin/snippets/resources/offerterm/add/", {"flag": "parking", "term": "歩行器"}
    )
    assert response.status_code == 200  # refused: the form again, with the reason
    assert not OfferTerm.objects.filter(term="歩行器").exists()
    client.post("/admin/snippets/resources/offerterm/add/", {"flag": "parking", "term": "車いす"})
    assert OfferTerm.objects.filter(flag="parking", term="車いす").exists()

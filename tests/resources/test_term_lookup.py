"""One lookup of vocabulary words for every importer: a name, a synonym or a reading."""

import pytest
from django.utils import translation

from resources.importing.values import TermIndex
from resources.models import Term
from resources.models.vocabulary import TermLookup

from .factories import TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms():
    return {
        "wheelchair": TermFactory(
            name="車いす", kana="くるまいす", kind=Term.Kind.ACCOMMODATION, synonyms="車椅子"
        ),
        "sanshin": TermFactory(name="三線", kana="さんしん", kind=Term.Kind.INTEREST),
        # 送迎 is a name here and a synonym of another term: the name wins.
        "pickup": TermFactory(name="送迎", kind=Term.Kind.ACCOMMODATION),
        "outing": TermFactory(name="外出支援", kind=Term.Kind.NEED, synonyms="送迎"),
    }


def test_a_name_synonym_or_reading_finds_the_term(terms):
    lookup = TermLookup.load()
    for word in ("車いす", "車椅子", "クルマイス", "ｸﾙﾏｲｽ", " くるまいす "):
        assert lookup.find(word) == terms["wheelchair"], word
    assert lookup.find("サンシン", Term.Kind.INTEREST) == terms["sanshin"]
    assert lookup.find("サンシン", Term.Kind.NEED) is None
    assert lookup.find("送迎") == terms["pickup"]
    assert lookup.find("送迎", Term.Kind.NEED) == terms["outing"]
    assert lookup.find("囲碁") is None


def test_similar_words_are_suggested(terms):
    lookup = TermLookup.load()
    assert lookup.similar("車いすの", Term.Kind.ACCOMMODATION) == ["車いす"]
    assert lookup.similar("囲碁") == []


def test_the_directory_tag_column_takes_a_synonym_too(terms):
    index = TermIndex()
    assert index.get("車椅子") == terms["wheelchair"]
    with translation.override("ja"), pytest.raises(ValueError) as unknown:
        index.get("囲碁")
    assert (
        str(unknown.value) == "「囲碁」は用語集の用語・よみ・同義語のどれでもありません。"
        "先に import_vocabulary で用語か同義語として加えてください。"
    )

"""Loading the tag vocabulary: terms created or updated by name, broader terms by name.

All or nothing: a broader term that is neither in the file nor loaded, or a loop of broader
terms (A under B under A), rejects the whole file before anything is written.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils.translation import gettext as _

from resources.importing import values
from resources.importing.files import Errors
from resources.importing.vocabulary import VocabularyRow, find_cycles
from resources.models import Term


@transaction.atomic
def vocabulary_import(*, rows: list[VocabularyRow], dry_run: bool = False) -> Counter[str]:
    """Create or update the terms of ``rows``; returns counts of "created" and "updated"."""
    existing = {values.key(t.name): t for t in Term.objects.select_related("parent")}
    file_names = {values.key(row.name) for row in rows}
    errors = Errors()
    parents: dict[str, str | None] = {
        name: values.key(t.parent.name) if t.parent else None for name, t in existing.items()
    }
    loaded = values.TermIndex(existing.values())
    for row in rows:
        if row.parent is None:
            continue
        parent = values.key(row.parent) if row.parent else None
        if parent and parent not in file_names and parent not in existing:
            # A broader term may be given by a loaded term's reading or synonym.
            try:
                parent = values.key(loaded.get(row.parent).name)
                row.parent = existing[parent].name
            except ValueError:
                row.report(
                    errors,
                    "parent",
                    _("“%(name)s” is neither in the file nor in the vocabulary.")
                    % {"name": row.parent},
                )
        parents[values.key(row.name)] = parent
    looping = find_cycles(parents)
    for row in rows:
        if values.key(row.name) in looping:
            row.report(
                errors,
                "parent",
                _("“%(name)s” would come under itself through its broader terms.")
                % {"name": row.name},
            )
    errors.raise_if_any()

    counts: Counter[str] = Counter()
    terms: dict[str, Term] = dict(existing)
    for row in rows:
        term = existing.get(values.key(row.name)) or Term(kind=Term.Kind.INTEREST)
        counts["created" if term.pk is None else "updated"] += 1
        term.name = row.name
        for field in ("kana", "kind", "synonyms"):
            if getattr(row, field) is not None:
                setattr(term, field, getattr(row, field))
        term.save()
        terms[values.key(row.name)] = term
    for row in rows:
        if row.parent is not None:
            term = terms[values.key(row.name)]
            term.parent = terms[values.key(row.parent)] if row.parent else None
            term.save(update_fields=["parent"])
    if dry_run:
        transaction.set_rollback(True)
    return counts

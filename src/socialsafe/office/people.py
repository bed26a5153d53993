"""The office tidies people: two records that are one person merged, a name or school corrected, and
the likely duplicates worth a look.

A merge is a record the office signs (``merge`` in ``docs/share-format.md``): it spreads through the
share as an erasure does, and every PC then shows and counts the two as one person, under the name,
school and email of the record kept. Nothing is rewritten or lost: every attempt and sign-off stays
where it was made, and now counts for the person it belongs to. A correction is a new learner record
with the right name or school, and a merge of the person into it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from socialsafe import roster
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.loader import Content
from socialsafe.domain.people import NEAR, letters, likeness, normalise_name, person_identity, person_key
from socialsafe.i18n import _
from socialsafe.log import log
from socialsafe.office.authority import maybe_prover
from socialsafe.reports import PersonRecords
from socialsafe.storage.models import Learner, Merge
from socialsafe.storage.store import Prove, Store
from socialsafe.sync.share import RosterPerson, ShareError
from socialsafe.sync.signed import RosterSigning
from socialsafe.trust.authority import AdminKey

ROSTER_ONLY = "roster"  # the id of the stand-in learner a roster person without records has


class MergeError(ValueError):
    """The two cannot be merged as asked; the message says why."""


def learner_ids(person: PersonRecords) -> list[str]:
    """The person's real learner records (not the roster's stand-in)."""
    return [x.id for x in person.learners if x.id != ROSTER_ONLY]


def merge_people(
    store: Store,
    moved: PersonRecords,
    kept: PersonRecords,
    kept_learner: Learner | None = None,
    prove: Prove | None = None,
) -> Merge:
    """Make ``moved`` the same person as ``kept``, shown with ``kept``'s name, school and email.

    ``kept_learner``: the learner record ``kept`` is shown as (:func:`learner_to_keep` makes one for a
    person known only from the staff list). Raises MergeError when ``moved`` has no records to move.
    """
    ids = learner_ids(moved)
    if not ids:
        raise MergeError(
            _(
                "{name} is only on the staff list, with no records to move. Keep {name} and merge the other "
                "person into them."
            ).format(name=moved.name)
        )
    target = kept_learner if kept_learner is not None else learner_to_keep(store, kept, prove)
    if target.id in ids:
        raise MergeError(_("These are already one person."))
    merge = store.record_merge(ids[0], target.id, prove=prove)
    log.info("office: merged learner %s (and who groups with it) into %s", ids[0], target.id)
    return merge


def learner_to_keep(store: Store, person: PersonRecords, prove: Prove | None = None) -> Learner:
    """The learner record a merge keeps: the person's newest one this PC has, else a new one from the roster."""
    known = [x for x in (store.learner(i) for i in learner_ids(person)) if x is not None]
    if known:
        return max(known, key=lambda x: x.created_at)
    return store.add_learner(person.name, person.role, person.school, person.email or None, prove=prove)


def correct_person(
    store: Store,
    person: PersonRecords,
    name: str,
    school: str,
    email: str | None,
    prove: Prove | None = None,
) -> Learner | None:
    """Correct the person's name, school or email on every PC: a new learner record made by the office,
    and a merge of the person into it. None when nothing changed. Raises InputError for a bad value."""
    name, school, email = normalise_name(name), normalise_name(school), (email or "").strip() or None
    if (name, school, email or "") == (person.name, person.school, person.email):
        return None
    corrected = store.add_learner(name, person.role, school, email, prove=prove, same_allowed=True)
    if learner_ids(person):
        store.record_merge(learner_ids(person)[0], corrected.id, prove=prove)
    log.info("office: corrected a person's name, school or email: learner %s", corrected.id)
    return corrected


def followed_on_roster(
    entries: Sequence[RosterPerson], moved: Iterable[tuple[str, ...]], kept: tuple[str, str, str | None]
) -> tuple[list[RosterPerson], bool]:
    """The staff list after a merge or a correction: entries of the ``moved`` people (by identity) take the
    ``kept`` name, school and email, or go where the kept person is listed already. Whether anything changed."""
    gone = set(moved)
    name, school, email = kept
    target = person_identity(name, school, email)
    listed = any(person_identity(p.name, p.school, p.email) == target for p in entries)
    result: list[RosterPerson] = []
    changed = False
    for entry in entries:
        identity = person_identity(entry.name, entry.school, entry.email)
        if identity in gone or identity == target:
            if identity != target and listed:
                changed = True
                continue  # the kept person's own entry stays, with its role and any exemption
            respelt = dataclasses.replace(entry, name=name, school=school, email=email or entry.email)
            changed |= respelt != entry
            entry, listed = respelt, True
        result.append(entry)
    return result, changed


def update_roster(
    store: Store,
    share: Path | None,
    data_dir: Path,
    moved: Iterable[tuple[str, ...]],
    kept: tuple[str, str, str | None],
    signing: RosterSigning | None,
) -> str | None:
    """Make the staff list (the share's, else the data folder's) follow a merge or correction.

    Returns a sentence for the office when the list could not be changed, else None.
    """
    try:
        current = roster.load(share, data_dir, signing)
        updated, changed = followed_on_roster(current, list(moved), kept)
        if changed:
            roster.save(updated, share, data_dir, owner=store.device_id, signing=signing)
    except ShareError as error:
        return str(error)
    except (roster.RosterError, OSError) as error:
        log.warning("office: the staff list could not follow a merge: %s", error)
        return _("The staff list could not be changed ({reason}); correct it on the Staff list page.").format(
            reason=getattr(error, "strerror", None) or error
        )
    return None


# Likely duplicates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """Two people who may be one: ``why`` says what they share."""

    first: PersonRecords
    second: PersonRecords
    why: str


def likely_duplicates(people: Sequence[PersonRecords], most: int = 50) -> list[Suggestion]:
    """Pairs worth a look: the same name at schools that differ only in words like "School", the same name at
    different schools, and near names (a typo, a missing letter) at one school. At most ``most``, likeliest first.

    Only names that share a first or last word, or a school, are compared, so a trust's thousands stay quick.
    """
    found: dict[tuple[int, int], tuple[int, str]] = {}
    by_name: dict[str, list[int]] = {}
    by_school_word: dict[tuple[str, str], list[int]] = {}
    keys = [person_key(p.name, p.school) for p in people]
    for index, person in enumerate(people):
        by_name.setdefault(keys[index][0], []).append(index)
        words = person.name.split()
        for word in {words[0], words[-1]} if words else set():
            by_school_word.setdefault((keys[index][1], letters(word)), []).append(index)
    for group in by_name.values():
        for i, j in _pairs(group):
            a, b = keys[i][1], keys[j][1]
            if a == b:  # one gave an email address and the other did not
                found[i, j] = (0, _("the same name and school"))
            elif a.startswith(b) or b.startswith(a):
                found[i, j] = (0, _("the same name, at schools spelt alike"))
            else:
                found.setdefault((i, j), (2, _("the same name, at different schools")))
    for group in by_school_word.values():
        for i, j in _pairs(group):
            if (i, j) in found or keys[i] == keys[j]:
                continue
            if likeness(people[i].name, people[j].name) >= NEAR:
                found[i, j] = (1, _("names alike, at the same school"))
    ranked = sorted(found.items(), key=lambda item: (item[1][0], people[item[0][0]].sort_key()))
    return [Suggestion(people[i], people[j], why) for (i, j), (_rank, why) in ranked[:most]]


def _pairs(group: list[int]) -> Iterable[tuple[int, int]]:
    ordered = sorted(set(group))
    if len(ordered) > 200:  # a very common name: its pairs say nothing
        return
    for n, i in enumerate(ordered):
        for j in ordered[n + 1 :]:
            yield i, j


# The office's actions, whole ------------------------------------------------------------------------------


@dataclass
class Tidied:
    """What a merge or correction did beyond this PC's database."""

    roster_problem: str | None = None  # the staff list could not follow (a sentence), else None
    shared: bool = False  # synced with the share at once, so every PC takes it at its next sync
    share_problem: str | None = None  # the share could not be reached (a sentence): it spreads at the next sync


def merge_everywhere(
    settings: Settings,
    store: Store,
    moved: PersonRecords,
    kept: PersonRecords,
    key: AdminKey | None,
    content: Content | None = None,
) -> Tidied:
    """:func:`merge_people`, then the staff list follows and the share is told: the office's Merge button."""
    prove = maybe_prover(key)
    target = learner_to_keep(store, kept, prove)
    merge_people(store, moved, kept, target, prove)
    moved_identities = {person_identity(x.name, x.school, x.email) for x in moved.learners}
    return _spread(settings, store, moved_identities, (target.name, target.school, target.email), key, content)


def correct_everywhere(
    settings: Settings,
    store: Store,
    person: PersonRecords,
    name: str,
    school: str,
    email: str | None,
    key: AdminKey | None,
    content: Content | None = None,
) -> Tidied | None:
    """:func:`correct_person`, then the staff list follows and the share is told. None when nothing changed."""
    corrected = correct_person(store, person, name, school, email, maybe_prover(key))
    if corrected is None:
        return None
    moved = {person_identity(x.name, x.school, x.email) for x in person.learners}
    return _spread(settings, store, moved, (corrected.name, corrected.school, corrected.email), key, content)


def _spread(
    settings: Settings,
    store: Store,
    moved: set[tuple[str, ...]],
    kept: tuple[str, str, str | None],
    key: AdminKey | None,
    content: Content | None,
) -> Tidied:
    from socialsafe.office.authority import roster_signing_for
    from socialsafe.sync.engine import sync

    share = settings.share_folder(store.setting(SHARE_SETTING))[0]
    result = Tidied()
    signing = roster_signing_for(settings, store, key) if share is not None else None
    result.roster_problem = update_roster(store, share, settings.data_dir, moved, kept, signing)
    if share is None:
        return result
    content = content if content is not None else settings.load_content()
    if content.current:
        try:
            report = sync(store, content, share)
        except ShareError as error:
            result.share_problem = str(error)
            return result
        for problem in report.problems:
            log.warning("sync after a merge: %s", problem)
        result.shared = True
    return result

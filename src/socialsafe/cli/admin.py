"""``socialsafe admin …`` and ``socialsafe verify``: the office's authority, its PCs, its packs, certificates.

The contract is ``shared/contracts/cli.md`` (the v2 rows); the authority
itself is :mod:`socialsafe.office.authority`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from socialsafe.cli import (
    ENV_ADMIN_PASSPHRASE,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_SHARE,
    AdminError,
    UsageError,
    UserError,
    _ask_passphrase,
    _load_content,
    _open_store,
    _say,
    _share_of,
    _show,
    _show_problems,
    require_admin,
)
from socialsafe.config import Settings
from socialsafe.i18n import _, format_date, ngettext
from socialsafe.log import printable
from socialsafe.storage.store import Store
from socialsafe.trust.authority import AdminKey

ENV_NEW_PASSPHRASE = "SOCIALSAFE_NEW_ADMIN_PASSPHRASE"
NAMES_SHOWN = 40  # of each PC's people, before adopting them


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "verify":
        return cmd_verify(settings, args.code)
    command = {
        "setup": cmd_setup,
        "enrol": cmd_enrol,
        "passphrase": cmd_passphrase,
        "pcs": cmd_pcs,
        "publish-pack": cmd_publish_pack,
    }[args.admin_command]
    return command(settings, args)


def _new_passphrase(prompt: str) -> str:
    """A new passphrase: from the environment (for scripts), else typed twice on a terminal."""
    for name in (ENV_NEW_PASSPHRASE, ENV_ADMIN_PASSPHRASE):
        given = os.environ.get(name)
        if given:
            return given
    first = _ask_passphrase(prompt)
    if _ask_passphrase(_("Type it again: ")) != first:
        raise UserError(_("The two passphrases are not the same: nothing was changed."))
    return first


def _sync(settings: Settings, store: Store) -> None:
    """Share what an admin command made at once (an enrolment, the adopted records), if the share is there."""
    from socialsafe.sync.engine import sync
    from socialsafe.sync.share import ShareError

    share = _share_of(settings, store)
    if share is None:
        return
    try:
        report = sync(store, _load_content(settings), share)
    except (ShareError, UserError) as error:
        _say(str(error))
        _say(_("It will be shared at the next sync."))
        return
    _show(report.summary())


# admin setup -------------------------------------------------------------------------------------------


def cmd_setup(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.admin import PassphraseError, passphrase_hash
    from socialsafe.office import authority as office
    from socialsafe.sync.engine import sync
    from socialsafe.sync.share import ShareError

    store = _open_store(settings)
    try:
        share = _share_of(settings, store)
        found = office.access(settings, store)
        if found.authority is not None or found.missing:
            raise UserError(office.already_message(share or Path()))
        if passphrase_hash(settings, store) is not None:
            # The office here already has a passphrase: whoever sets up the authority must know it, and it seals it.
            passphrase = os.environ.get(ENV_ADMIN_PASSPHRASE) or _ask_passphrase()
            require_admin(settings, store, passphrase)
            if share is None:
                _show(_("This PC has an admin passphrase already: change it with socialsafe admin passphrase."))
                return EXIT_OK
        else:
            passphrase = _new_passphrase(_("New admin passphrase: "))
        if share is None:
            try:
                office.set_up(settings, store, passphrase)
            except PassphraseError as error:
                raise UserError(str(error)) from error
            _show(
                _(
                    "Set the admin passphrase for this PC. With a shared folder set, run this again to make the "
                    "office's authority there."
                )
            )
            return EXIT_OK
        try:
            office.check_authority_strength(passphrase)
            plan = office.adoption(share)
        except PassphraseError as error:
            raise UserError(str(error)) from error
        except OSError as error:
            _say(_("The shared folder {path} cannot be read ({reason}).").format(path=share, reason=error))
            return EXIT_SHARE
        adopt = not args.no_adopt and not plan.empty
        if adopt:
            _print_adoption(plan)
            if sys.stdin.isatty() and not _confirmed(
                _("Adopt all of this as the office's records? They count as proof from now on. Type yes to adopt: ")
            ):
                adopt = False
                _show(_("Not adopted: they stay in the shared folder, listed in the office as not counted."))
        content = _load_content(settings)
        try:
            result = office.set_up(settings, store, passphrase, adopt, lambda: sync(store, content, share))
        except office.AlreadySetUpError as error:
            raise UserError(str(error)) from error
        except ShareError as error:
            _say(str(error))
            return EXIT_SHARE
        except PassphraseError as error:
            raise UserError(str(error)) from error
    finally:
        store.close()
    return _print_setup(result, share)


def _confirmed(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        answer = ""
    return answer.strip().casefold() in ("yes", "y", _("yes").casefold())


def _print_adoption(plan: object) -> None:
    from socialsafe.office.authority import Adoption, adoption_counts, when_written

    assert isinstance(plan, Adoption)
    _show(_("The shared folder already holds:"))
    for device in plan.devices:
        _show(
            "  "
            + _("{name} ({device}), written {when}").format(
                name=printable(device.name or "") or _("a PC with no name"),
                device=printable(device.device_id),
                when=when_written(device.written_at),
            )
            + ": "
            + printable(", ".join(adoption_counts(device)))
        )
        if device.names:
            shown = printable(", ".join(device.names[:NAMES_SHOWN]))
            more = len(device.names) - NAMES_SHOWN
            if more > 0:
                shown += " " + _("and {n} more").format(n=more)
            _show("    " + shown)
        for who in device.erased:
            _show("    " + _("erases: {who}").format(who=printable(who)))
    if plan.roster:
        _show("  " + _("the staff list (roster/roster.csv)"))
    for folder in plan.packs:
        _show("  " + _("the quiz pack {folder}").format(folder=printable(folder.name)))
    for problem in plan.problems:
        _show("  " + printable(problem))


def _print_setup(result: object, share: Path) -> int:
    from socialsafe.office.authority import SetupResult

    assert isinstance(result, SetupResult)
    assert result.key is not None
    fingerprint = result.key.authority.fingerprint
    _show(_("Made the office's admin authority in {path}. Its key is {key}.").format(path=share, key=fingerprint))
    _show(
        _(
            "Every PC trusts it from its next sync. So that no one can swap it, your IT team can put "
            'admin_authority = "{key}" in the site config of every PC.'
        ).format(key=fingerprint)
    )
    _show(_("This PC is trusted by the office."))
    if result.adopted:
        _show(ngettext("Adopted {n} record.", "Adopted {n} records.", result.adopted).format(n=result.adopted))
    if result.roster_signed:
        _show(_("Signed the staff list."))
    for pack in result.packs_signed:
        _show(_("Signed the quiz pack {pack}.").format(pack=printable(pack)))
    _show_problems(result.problems)
    if result.sync is not None:
        _show(result.sync.summary())
    return EXIT_PROBLEMS if result.problems else EXIT_OK


# admin enrol, passphrase, pcs, publish-pack ------------------------------------------------------------


def _authority_key(settings: Settings, store: Store) -> AdminKey:
    key = require_admin(settings, store)
    if key is None:
        raise UserError(
            _("The shared folder has no office authority yet: run socialsafe admin setup first (with --share DIR).")
        )
    return key


def cmd_enrol(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.office import authority as office
    from socialsafe.trust import keys

    if args.device and not args.key:
        raise UsageError(
            _(
                "Say which key the PC must have, as it shows it after its sync: "
                "--device {device} --key XXXX-XXXX-XXXX-XXXX."
            ).format(device=args.device)
        )
    store = _open_store(settings)
    try:
        key = _authority_key(settings, store)
        if args.device:
            view = office.pcs_view(settings, store)
            waiting = [u for u in view.waiting if u.device_id == args.device.strip().lower()]
            if not waiting or waiting[0].key is None:
                raise UserError(
                    _("No PC {device} is waiting for the office's approval (socialsafe admin pcs lists them).").format(
                        device=args.device
                    )
                )
            pc = waiting[0]
            assert pc.key is not None
            if not keys.same_fingerprint(args.key, pc.key):
                raise UserError(
                    _("{name} ({device}) signs with the key {actual}, not {given}: it was not approved.").format(
                        name=printable(pc.device_name),
                        device=printable(pc.device_id),
                        actual=printable(pc.fingerprint),
                        given=printable(args.key),
                    )
                )
            office.approve(store, key, pc.device_id, keys.b64(pc.key), pc.device_name)
            _show(
                _("The office now trusts {name} ({device}), key {key}: its records count from the next sync.").format(
                    name=printable(pc.device_name or pc.device_id),
                    device=printable(pc.device_id),
                    key=printable(pc.fingerprint),
                )
            )
        elif office.enrol_this_pc(store, key):
            _show(
                _(
                    "The office now trusts this PC (key {key}): its records count on every PC from the next sync."
                ).format(key=keys.fingerprint(office.own_public(store)))
            )
        else:
            _show(
                _("The office trusts this PC already (key {key}).").format(
                    key=keys.fingerprint(office.own_public(store))
                )
            )
        _sync(settings, store)
    finally:
        store.close()
    return EXIT_OK


def cmd_passphrase(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.admin import PassphraseError, set_passphrase
    from socialsafe.office import authority as office

    store = _open_store(settings)
    try:
        key = require_admin(settings, store)
        new = _new_passphrase(_("New admin passphrase: "))
        try:
            if key is not None:
                office.change_passphrase(store, key, new, _share_of(settings, store))
                _show(_("Changed the office's admin passphrase: every PC uses the new one from its next sync."))
            else:
                set_passphrase(store, new)
                _show(_("Changed this PC's admin passphrase."))
        except PassphraseError as error:
            raise UserError(str(error)) from error
    finally:
        store.close()
    return EXIT_OK


def cmd_pcs(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.office import authority as office

    store = _open_store(settings)
    try:
        _authority_key(settings, store)
        view = office.pcs_view(settings, store)
    finally:
        store.close()
    _show(
        _("This PC: {device}, key {key}, {state}.").format(
            device=view.this_pc, key=view.this_key, state=_("trusted") if view.this_trusted else _("not trusted yet")
        )
    )
    _show(_("PCs the office trusts:"))
    for enrolment in view.trusted:
        _show(
            "  "
            + _("{name} ({device}), key {key}, since {date}").format(
                name=printable(enrolment.device_name),
                device=printable(enrolment.subject_id),
                key=office.fingerprint_of(enrolment.public_key),
                date=format_date(enrolment.enrolled_at.date()),
            )
        )
    if view.waiting:
        _show(_("PCs waiting for the office's approval (socialsafe admin enrol --device ID --key KEY):"))
        for pc in view.waiting:
            _show(
                "  "
                + _("{name} ({device}), key {key}: {people} people, {records} records; {reason}").format(
                    name=printable(pc.device_name or "") or _("a PC with no name"),
                    device=printable(pc.device_id),
                    key=printable(pc.fingerprint),
                    people=len(pc.people),
                    records=len(pc.records),
                    reason=printable(pc.reason),
                )
            )
    others = [u for u in view.unverified if not u.waiting]
    if others:
        _show(_("Device files whose records are not counted:"))
        for apart in others:
            _show(
                "  "
                + _("{file}: {records} records; {reason}").format(
                    file=printable(apart.path), records=len(apart.records), reason=printable(apart.reason)
                )
            )
    _show_problems(view.problems)
    return EXIT_OK


def cmd_publish_pack(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.content.loader import PackError
    from socialsafe.sync.share import ShareError, explain
    from socialsafe.sync.signed import checked_pack, publish_pack

    folder = Path(args.path)
    try:
        checked_pack(folder)  # problems are said before the passphrase is asked for
    except PackError as error:
        _show_problems(error.problems)
        raise UserError(_("The pack has problems (listed above): nothing was published.")) from error
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(
            _("Cannot read the pack in {folder} ({reason}).").format(folder=folder, reason=error)
        ) from error
    store = _open_store(settings)
    try:
        key = _authority_key(settings, store)
        share = _share_of(settings, store)
        assert share is not None  # an authority is only found through a share
        try:
            pack, target = publish_pack(folder, share, key, owner=store.device_id)
        except PackError as error:
            _show_problems(error.problems)
            raise UserError(_("The pack has problems (listed above): nothing was published.")) from error
        except OSError as error:
            raise explain(error, share) from error
    except ShareError as error:
        _say(str(error))
        return EXIT_SHARE
    finally:
        store.close()
    _show(
        _("Signed {title} {version} and placed it in {folder}: every PC takes it at its next sync.").format(
            title=printable(pack.header.pack.title), version=printable(pack.version), folder=printable(target)
        )
    )
    return EXIT_OK


# verify ------------------------------------------------------------------------------------------------


def cmd_verify(settings: Settings, typed: str) -> int:
    from socialsafe.labels import role_label
    from socialsafe.office.certificates import check_certificate

    content = _load_content(settings)
    store = _open_store(settings)
    try:
        check = check_certificate(settings, store, content, typed, dt.date.today())
    finally:
        store.close()
    if not check.genuine:
        _show(printable(check.problem))
        if check.name:
            _show(_("It names {name}, {school}.").format(name=printable(check.name), school=printable(check.school)))
        return EXIT_PROBLEMS
    _show(
        _("Genuine: {code} was issued by {pc} on {date}.").format(
            code=printable(check.code),
            pc=printable(check.issued_by),
            date=format_date(check.issued_at.date()) if check.issued_at else "",
        )
    )
    _show(
        _("To: {name}, {role}, {school}.").format(
            name=printable(check.name), role=printable(role_label(check.role)), school=printable(check.school)
        )
    )
    _show(
        _("For: the policy {policy}, version {version}; completed {completed}, valid until {expires}.").format(
            policy=printable(check.policy_id),
            version=printable(check.policy_version),
            completed=format_date(check.completed_on) if check.completed_on else "",
            expires=format_date(check.expires_on) if check.expires_on else "",
        )
    )
    if check.status_now is not None:
        from socialsafe.labels import status_name

        _show(_("Their training today: {status}.").format(status=status_name(check.status_now)))
    return EXIT_OK


__all__ = ["AdminError", "run"]

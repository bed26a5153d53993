"""The ``socialsafe`` command: the desktop app and the commands IT staff script.

The contract is ``shared/contracts/cli.md``. Errors reach the person as one
clear sentence on standard error; tracebacks go only to the log file. Everything
printed goes through :func:`_show` or :func:`_say`, which show control characters
in names and file names escaped (:func:`socialsafe.log.printable`), never obeyed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from socialsafe import __version__
from socialsafe.config import SHARE_SETTING, Settings
from socialsafe.content.roles import Role
from socialsafe.files import disk_full_message
from socialsafe.i18n import _, ngettext, set_locale
from socialsafe.log import log, printable, printable_lines, setup_logging
from socialsafe.paths import is_network_path

if TYPE_CHECKING:
    from socialsafe import reports, roster
    from socialsafe.admin import ErasePlan, EraseResult
    from socialsafe.content.loader import Content
    from socialsafe.content.model import Pack
    from socialsafe.office.sessions import Attendee, Outcome
    from socialsafe.storage.models import Learner
    from socialsafe.storage.store import Prove, Store
    from socialsafe.trust.authority import AdminKey

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_SHARE = 3
EXIT_ADMIN = 4

ENV_ADMIN_PASSPHRASE = "SOCIALSAFE_ADMIN_PASSPHRASE"

ROLES = [role.value for role in Role]


class UserError(Exception):
    """A failure the person can act on; the message is the whole story."""


class UsageError(UserError):
    """A bad value on the command line that argparse cannot see (exit 2)."""


class AdminError(UserError):
    """An admin command without the right admin passphrase (exit 4)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _say(_("socialsafe: {message}").format(message=message))
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="socialsafe", description=_("Use of Social Media policy training for school staff."))
    parser.add_argument("--version", action="version", version=f"socialsafe {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help=_("local data folder (default: SOCIALSAFE_HOME, else the user data folder)")
    )
    parser.add_argument(
        "--share", metavar="DIR", help=_("shared folder (default: SOCIALSAFE_SHARE, else the saved one)")
    )
    parser.add_argument(
        "--packs", metavar="DIR", action="append", help=_("extra quiz packs (repeatable; default: SOCIALSAFE_PACKS)")
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    gui = commands.add_parser("gui", help=_("open the app (the default)"))
    gui.add_argument(
        "--startup-check", action="store_true", help=_("exit as soon as the first window is shown and idle")
    )
    gui.add_argument(
        "--ready-check",
        action="store_true",
        help=_("exit once the records, the packs and every screen are loaded, so a quiz could start at once"),
    )

    validate = commands.add_parser("validate", help=_("check quiz packs and print every problem"))
    validate.add_argument(
        "--coverage", action="store_true", help=_("also print which questions test each policy clause")
    )
    validate.add_argument(
        "--policy",
        metavar="INDEX",
        help=_("the policy's clause index (a clauses.toml): every pack's clauses must quote it word for word"),
    )
    validate.add_argument(
        "--json",
        action="store_true",
        help=_("with --coverage: print the coverage as JSON, with each module's chance of asking nothing on a clause"),
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help=_("pack folders or files (default: every pack the app loads)")
    )

    by_help = _("one row per person (the default) or per person and module")
    commands.add_parser("sync", help=_("publish this PC's records to the shared folder and merge every PC's"))
    export = commands.add_parser("export", help=_("write the completion list to a file"))
    export.add_argument("--out", metavar="FILE", required=True, help=_("the file to write"))
    export.add_argument("--by", choices=["person", "module"], default="person", help=by_help)
    export.add_argument(
        "--format", choices=["csv", "xlsx", "json"], help=_("the file format (default: from the file's suffix)")
    )

    report = commands.add_parser("report", help=_("print the completion list as a table"))
    report.add_argument("--by", choices=["person", "module"], default="person", help=by_help)

    record = commands.add_parser("record", help=_("admin: record a completion done outside the app"))
    _person_arguments(record, required=False)  # or --attendees
    record.add_argument(
        "--role",
        metavar="R",
        choices=ROLES,
        help=_("the person's role: {roles}").format(roles=", ".join(ROLES)),
    )
    record.add_argument(
        "--attendees",
        metavar="FILE",
        help=_("everyone at the session, from a CSV file (header name,email,role,school), instead of --name"),
    )
    record.add_argument(
        "--module", metavar="M", required=True, help=_("the module id, or all: every module of each person's role")
    )
    record.add_argument("--score", metavar="X", required=True, type=_count, help=_("the score"))
    record.add_argument("--max-score", metavar="Y", required=True, type=_count, help=_("the maximum score"))
    record.add_argument("--note", metavar="T", help=_("a note, such as where the session took place"))
    _date_and_policy_arguments(record)

    acknowledge = commands.add_parser("acknowledge", help=_("admin: record a signed paper acknowledgement"))
    _person_arguments(acknowledge)
    _date_and_policy_arguments(acknowledge)

    erase = commands.add_parser(
        "erase", help=_("admin: erase one person's data here and, through the shared folder, everywhere")
    )
    erase.add_argument("--email", metavar="E", help=_("the person's email address"))
    erase.add_argument("--name", metavar="N", help=_("the person's name (with --school, when there is no email)"))
    erase.add_argument("--school", metavar="S", help=_("the person's school (with --name)"))
    erase.add_argument("--yes", action="store_true", help=_("erase without asking for confirmation"))

    roster = commands.add_parser("roster", help=_("admin: the staff list that reports are measured against"))
    roster_commands = roster.add_subparsers(
        dest="roster_command", metavar="COMMAND", parser_class=_Parser, required=True
    )
    roster_import = roster_commands.add_parser(
        "import", help=_("admin: load the staff list from a CSV file (header name,email,role,school)")
    )
    roster_import.add_argument("file", metavar="FILE", help=_("the CSV file, saved from Excel as CSV UTF-8"))
    roster_import.add_argument("--dry-run", action="store_true", help=_("show what would change, and change nothing"))

    admin = commands.add_parser("admin", help=_("admin: the office's authority on the shared folder, and its PCs"))
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="COMMAND", parser_class=_Parser, required=True)
    setup = admin_commands.add_parser(
        "setup", help=_("set the admin passphrase and, with a shared folder, make the office's authority there")
    )
    setup.add_argument(
        "--no-adopt",
        action="store_true",
        help=_("do not adopt the records already in the shared folder as the office's (they stay, not counted)"),
    )
    enrol = admin_commands.add_parser(
        "enrol", help=_("make this PC (or, with --device, a waiting PC) one the office trusts")
    )
    enrol.add_argument("--device", metavar="ID", help=_("approve the waiting PC with this device id instead"))
    enrol.add_argument(
        "--key", metavar="FINGERPRINT", help=_("with --device (and needed with it): the key that PC shows")
    )
    admin_commands.add_parser("passphrase", help=_("change the admin passphrase"))
    admin_commands.add_parser("pcs", help=_("list the PCs the office trusts, those waiting, and what is not counted"))
    publish = admin_commands.add_parser(
        "publish-pack", help=_("sign a quiz pack and place it in the shared folder for every PC")
    )
    publish.add_argument("path", metavar="PATH", help=_("the pack's folder (holding pack.toml)"))

    verify = commands.add_parser("verify", help=_("check a certificate's verification code"))
    verify.add_argument("code", metavar="CODE", help=_("the code printed on the certificate, such as 7KQ2-M9XD-4FTA"))
    return parser


def _person_arguments(command: argparse.ArgumentParser, required: bool = True) -> None:
    command.add_argument("--name", metavar="N", required=required, help=_("the person's name"))
    command.add_argument("--school", metavar="S", required=required, help=_("the person's school"))
    command.add_argument("--email", metavar="E", help=_("the person's email address, if they have one"))


def _date_and_policy_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--date", metavar="YYYY-MM-DD", type=_past_date, help=_("the day it happened (default: now)"))
    command.add_argument(
        "--policy", metavar="ID", help=_("the policy id, needed only when this PC has packs for several policies")
    )


def _past_date(text: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)  # fromisoformat would take 20260301 and 2026-W09-7 too
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date: write it as YYYY-MM-DD, for example 2026-03-01").format(text=text)
        ) from None
    if day > dt.date.today():
        raise argparse.ArgumentTypeError(_("{text} is in the future").format(text=text))
    return day


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(_("{text} is not a whole number of 0 or more").format(text=text))
    return value


def main(argv: Sequence[str] | None = None) -> int:
    set_locale()
    for stream in (sys.stdout, sys.stderr):
        # A name this console's code page cannot show is shown as an escape, never a crash.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    args = build_parser().parse_args(argv)
    settings = Settings.resolve(args.data_dir, args.share, args.packs)
    # Never create folders on a refused (network) data folder just to log there.
    log_file = None if is_network_path(settings.data_dir) else setup_logging(settings.data_dir)
    if args.command not in (None, "gui"):
        # A broken site config never stops a command: its bad keys are ignored, and said so here.
        from socialsafe.site_config import site_config

        _show_problems(site_config().problems, stream="stderr")
    try:
        if args.command == "validate":
            if args.json and not args.coverage:
                raise UsageError(_("--json goes with --coverage"))
            return cmd_validate(
                settings,
                [Path(p) for p in args.paths],
                coverage=args.coverage,
                as_json=args.json,
                policy=Path(args.policy) if args.policy else None,
            )
        if args.command == "sync":
            return cmd_sync(settings)
        if args.command == "export":
            return cmd_export(settings, Path(args.out), args.by, args.format)
        if args.command == "report":
            return cmd_report(settings, args.by)
        if args.command == "record":
            return cmd_record(settings, args)
        if args.command == "acknowledge":
            return cmd_acknowledge(settings, args)
        if args.command == "erase":
            return cmd_erase(settings, args)
        if args.command == "roster":
            return cmd_roster_import(settings, Path(args.file), dry_run=args.dry_run)
        if args.command in ("admin", "verify"):
            from socialsafe.cli.admin import run

            return run(settings, args)
        return cmd_gui(
            settings,
            startup_check=getattr(args, "startup_check", False),
            ready_check=getattr(args, "ready_check", False),
        )
    except UsageError as error:
        _say(str(error))
        return EXIT_USAGE
    except AdminError as error:
        _say(str(error))
        return EXIT_ADMIN
    except UserError as error:
        # A full disk behind the message (a database or file that could not be written) is said as such.
        _say(disk_full_message(error, settings.data_dir) or str(error))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        log.exception("unexpected error in %s", args.command or "gui")
        full = disk_full_message(error, settings.data_dir)
        if full is not None:
            _say(full)
            return EXIT_PROBLEMS
        where = str(log_file) if log_file else _("the log file")
        _say(
            _("Something went wrong ({error}). The details are in {log}.").format(error=type(error).__name__, log=where)
        )
        return EXIT_PROBLEMS


def _say(message: object) -> None:
    """A message on standard error: its lines as we wrote them, any control character in a value escaped."""
    print(printable_lines(message), file=sys.stderr)


def _show(message: object = "") -> None:
    """A message on standard output: its lines as we wrote them, any control character in a value escaped.

    Text from data that must stay on one line (a name, a problem) is passed
    through :func:`printable` first, so that a line break in it is shown too.
    """
    print(printable_lines(message))


def _show_problems(problems: Sequence[object], stream: str = "stdout") -> None:
    """Each problem on its own line (``FILE:LINE: message``), whatever its text holds."""
    for problem in problems:
        if stream == "stderr":
            _say(printable(problem))
        else:
            _show(printable(problem))


def cmd_validate(
    settings: Settings, targets: list[Path], coverage: bool = False, as_json: bool = False, policy: Path | None = None
) -> int:
    from socialsafe.content.coverage import coverage_report, cues
    from socialsafe.content.loader import Content, Problem, load_all
    from socialsafe.content.policy import index_problems
    from socialsafe.domain.coverage import coverage_json, refresher_gaps

    content = settings.load_content() if not targets else Content()
    for target in targets:
        found = load_all([target])
        content.packs.extend(found.packs)
        content.problems.extend(found.problems)
        if not found.packs and not found.problems:
            # A folder named on purpose but holding no pack is a mistake (a misnamed pack.toml).
            content.problems.append(Problem(target, _("no quiz pack here (a pack is a folder holding pack.toml)")))
    # A final check that could renew a year's training without asking a "must" clause is a problem too.
    for pack in content.packs:
        content.problems += [Problem(Path(pack.source), gap) for gap in refresher_gaps(pack)]
        # So is a pack a test-wise guess could pass: always "false", or always the longest option.
        content.problems += [Problem(Path(pack.source), cue) for cue in cues(pack).problems()]
        if policy is not None:  # and, given the policy's clause index, a clause not quoted word for word
            content.problems += index_problems(pack, policy)
    # A translation's problems leave the pack in use (in English there), but are problems all the same.
    problems = content.problems + content.warnings
    _show_problems(problems, stream="stderr" if as_json else "stdout")
    if as_json:
        rows = [{"pack": pack.id, **row} for pack in content.packs for row in coverage_json(pack)]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif coverage:
        for pack in content.packs:
            _show(coverage_report(pack))
    checked = len(content.packs)
    bad = len(problems)
    summary = ngettext("{n} pack is valid.", "{n} packs are valid.", checked).format(n=checked)
    if bad:
        summary += " " + ngettext("{n} problem found.", "{n} problems found.", bad).format(n=bad)
    _say(summary)
    return EXIT_PROBLEMS if bad else EXIT_OK


def require_admin(settings: Settings, store: Store | None = None, text: str | None = None) -> AdminKey | None:
    """The gate in front of every admin command; returns the admin key when the share has an authority.

    On a share with the office's admin authority, the passphrase must open the
    authority's sealed key, whatever data folder runs the command. Without one,
    it is checked against this PC's (or the site config's) admin passphrase; with
    none set, admin commands proceed: that is first use. The passphrase comes
    from ``SOCIALSAFE_ADMIN_PASSPHRASE``, else is asked for on a terminal; with
    neither, or when it is wrong, AdminError (exit 4); ``text``, when a command
    has asked for it already. Wrong tries count toward the same slow-down as the
    app's (:class:`socialsafe.admin.AdminGate`).
    """
    from socialsafe.admin import UnlockResult
    from socialsafe.office.authority import AuthorityMissingError, admin_gate
    from socialsafe.trust.authority import AuthorityError

    own = store is None
    if store is None:
        store = _open_store(settings)
    try:
        try:
            gate = admin_gate(settings, store)
        except AuthorityMissingError as error:
            raise AdminError(str(error)) from error
        if not gate.required:
            return None
        left = gate.remaining(dt.datetime.now(dt.UTC))
        if left:
            raise AdminError(_wait_message(left))
        if text is None:
            text = os.environ.get(ENV_ADMIN_PASSPHRASE) or _ask_passphrase()
        try:
            outcome = gate.try_unlock(text, dt.datetime.now(dt.UTC))
        except AuthorityError as error:
            raise UserError(_("The office's authority file cannot be used ({reason}).").format(reason=error)) from error
    finally:
        if own:
            store.close()
    if outcome.ok:
        return outcome.key
    if outcome.result is UnlockResult.WAIT:
        raise AdminError(_wait_message(outcome.wait))
    log.warning("wrong admin passphrase on the command line")
    if outcome.wait:
        raise AdminError(
            ngettext(
                "The admin passphrase is wrong: wait {n} second before trying again.",
                "The admin passphrase is wrong: wait {n} seconds before trying again.",
                outcome.wait,
            ).format(n=outcome.wait)
        )
    raise AdminError(_("The admin passphrase is wrong."))


def _wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong admin passphrases: try again in {n} second.",
        "Too many wrong admin passphrases: try again in {n} seconds.",
        seconds,
    ).format(n=seconds)


def _ask_passphrase(prompt: str | None = None) -> str:
    """The passphrase typed on the terminal, not shown; AdminError when there is no terminal or none is typed."""
    import getpass

    if not sys.stdin.isatty():
        raise AdminError(
            _(
                "This is an admin command: set {env} to the admin passphrase, or run it on a terminal to type it."
            ).format(env=ENV_ADMIN_PASSPHRASE)
        )
    try:
        text = getpass.getpass(prompt or _("Admin passphrase: "))
    except EOFError:
        text = ""
    if not text:
        raise AdminError(_("This is an admin command: the admin passphrase is required."))
    return text


def _open_store(settings: Settings) -> Store:
    """The local database, opened exactly as the app opens it."""
    from socialsafe.paths import DataDirError, prepare_data_dir
    from socialsafe.storage.db import DatabaseError
    from socialsafe.storage.store import Store

    try:
        prepare_data_dir(settings.data_dir)
        return Store(settings.database)
    except (DataDirError, DatabaseError) as error:
        raise UserError(str(error)) from error


def _load_content(settings: Settings) -> Content:
    content = settings.load_content()
    for problem in content.problems:
        log.warning("pack left out: %s", problem)
    if not content.current:
        raise UserError(_("No quiz pack could be loaded: run socialsafe validate to see why."))
    return content


def cmd_export(settings: Settings, out: Path, by: str, format_name: str | None) -> int:
    from socialsafe import export, reports

    try:
        fmt = export.format_for(out, format_name)
    except export.UnknownFormatError as error:
        raise UsageError(str(error)) from error
    require_admin(settings)  # everyone's records
    content = _load_content(settings)
    store = _open_store(settings)
    try:
        # A person list needs of each person's attempts only what their status reads: a digest of them.
        people, share_error, problems = _merged_people(settings, store, _digest_for(by, content))
        # One row per person, as the share's reports: the primary policy when several are loaded.
        header, rows = reports.rows_by(by, store, content, policy_id=content.primary_policy_id, people=people)
    finally:
        store.close()
    try:
        export.write_rows(out, header, rows, fmt)
    except OSError as error:  # write_rows's message already says what to do
        raise UserError(str(error)) from error
    _show(ngettext("Wrote {n} row to {file}.", "Wrote {n} rows to {file}.", len(rows)).format(n=len(rows), file=out))
    return _share_exit(share_error, problems)


def _share_exit(share_error: Exception | None, problems: Sequence[object] = ()) -> int:
    """Exit 3 when the share could not be read: the output holds this PC's view only.

    Exit 1 when lines or files could not be read (each is said on standard
    error, as ``sync`` says it): the list lacks whatever they hold. A problem
    that is only a note (a file Windows or a cloud drive put in ``devices/``)
    is said, and changes nothing.
    """
    if share_error is not None:
        _say(str(share_error))
        _say(_("The list above holds this PC's records and those it received at its last sync."))
        return EXIT_SHARE
    _show_problems(problems, stream="stderr")
    bad = sum(1 for problem in problems if not getattr(problem, "note", False))
    if not bad:
        return EXIT_OK
    _say(
        ngettext("{n} problem found (listed above).", "{n} problems found (listed above).", bad).format(n=bad)
        + " "
        + _("The list leaves out whatever those lines hold.")
    )
    return EXIT_PROBLEMS


def _share_of(settings: Settings, store: Store) -> Path | None:
    """The shared folder: flag, else environment, else the one saved in the app's settings."""
    return settings.share_folder(store.setting(SHARE_SETTING))[0]


def _digest_for(by: str, content: Content) -> frozenset[str] | None:
    """What a merge for the report ``by`` may digest attempts by: the refreshers, for a person report only."""
    from socialsafe.reports import refreshers

    return refreshers(content) if by == "person" else None


def _merged_people(
    settings: Settings, store: Store, digest: frozenset[str] | None = None
) -> tuple[list[reports.PersonRecords] | None, Exception | None, list[object]]:
    """Everyone on every PC, from the share's device files and roster; None to use this PC's records.

    Also the share's problems (lines and files that could not be read, as
    ``sync`` finds them), or the error that kept the share from being read.
    ``digest``: the refreshers' module ids, to digest attempts for a person report (``merged_people``).
    """
    from socialsafe.sync.engine import merged_people
    from socialsafe.sync.share import ShareError

    share = _share_of(settings, store)
    if share is None:
        # No share: this PC's records, with the roster kept in the data folder, if there is one.
        from socialsafe import reports, roster

        listed, problems = roster.read_for_reports(None, settings.data_dir)
        for problem in problems:
            log.warning("roster: %s", problem)
        return (roster.with_roster(reports.people_of_store(store), listed) if listed else None), None, []
    try:
        people, problems = merged_people(store, share, digest)
    except ShareError as error:
        return None, error, []
    for problem in problems:
        log.warning("share: %s", problem)
    return people, None, list(problems)


def cmd_sync(settings: Settings) -> int:
    from socialsafe.sync.engine import sync
    from socialsafe.sync.share import ShareError

    content = _load_content(settings)
    store = _open_store(settings)
    try:
        share = _share_of(settings, store)
        if share is None:
            raise UserError(
                _(
                    "No shared folder is set: give --share DIR, set SOCIALSAFE_SHARE, "
                    "or choose one in the app's Settings."
                )
            )
        try:
            report = sync(store, content, share)
        except ShareError as error:
            _say(str(error))
            return EXIT_SHARE
    finally:
        store.close()
    _show_problems(report.problems)
    _show(report.summary())
    # A note (desktop.ini, Thumbs.db in devices/) is said, but nothing is wrong: a scheduled sync stays at 0.
    return EXIT_PROBLEMS if any(not p.note for p in report.problems) else EXIT_OK


def cmd_report(settings: Settings, by: str) -> int:
    from socialsafe import export, reports

    require_admin(settings)  # everyone's records
    content = _load_content(settings)
    store = _open_store(settings)
    try:
        people, share_error, problems = _merged_people(settings, store, _digest_for(by, content))
        tables = [
            (pack, *reports.rows_by(by, store, content, policy_id=pack.policy.id, people=people))
            for pack in content.current
        ]
    finally:
        store.close()
    if not any(rows for _pack, _header, rows in tables):
        _show(_("No one has used SocialSafe on this PC yet."))
        return _share_exit(share_error, problems)
    for number, (pack, header, rows) in enumerate(tables):
        if len(tables) > 1:
            # Several policies: a heading says which one each table is about.
            _show(
                ("\n" if number else "")
                + _("{title}, version {version} ({policy})").format(
                    title=printable(pack.policy.title),
                    version=printable(pack.policy.version),
                    policy=printable(pack.policy.id),
                )
            )
        sys.stdout.write(export.to_table(header, rows))  # every cell made printable by to_table
    return _share_exit(share_error, problems)


def _policy_pack(content: Content, policy: str | None) -> Pack:
    """The current pack of the policy named with ``--policy``, or of the only policy there is."""
    current = content.current
    if policy is not None:
        pack = next((p for p in current if p.policy.id == policy), None)
        if pack is None:
            raise UserError(
                _("There is no policy {policy} in the quiz packs here; the policies are: {known}.").format(
                    policy=policy, known=", ".join(p.policy.id for p in current)
                )
            )
        return pack
    if len(current) > 1:
        raise UsageError(
            _("This PC has packs for several policies ({known}): say which one with --policy.").format(
                known=", ".join(p.policy.id for p in current)
            )
        )
    return current[0]


def _find_or_add(
    store: Store, name: str, school: str, email: str | None, role: str, prove: Prove | None = None
) -> tuple[Learner, bool]:
    """The learner this person already is on this PC ("Who is a person"), or a new one; True when added."""
    from socialsafe.office import sessions
    from socialsafe.storage.store import InputError

    try:
        learner = sessions.existing_learner(store, sessions.Attendee(name, school, email, role))
    except sessions.OtherEmailError as error:
        raise UserError(error.say(printable)) from error
    if learner is not None:
        return learner, False
    try:
        return store.add_learner(name, role, school, email, prove=prove), True
    except InputError as error:
        raise UsageError(str(error)) from error


def _moment(day: dt.date | None) -> dt.datetime:
    """Noon on that day, this PC's time, in UTC (or now, if that is earlier); now when no day is given."""
    from socialsafe.office.sessions import moment

    return moment(day)


def _added(learner: Learner) -> str:
    return _("Added {name} ({school}, {role}) to this PC.").format(
        name=printable(learner.name), school=printable(learner.school), role=printable(learner.role)
    )


def _status_line(store: Store, content: Content, learner: Learner, pack: Pack) -> str:
    """The person's status now, as the reports give it (all their records on this PC)."""
    from socialsafe.reports import person_row_of

    row = person_row_of(store, content, learner.id, pack.policy.id)
    return _("Status: {status}.").format(status=row.status) if row else ""


def cmd_record(settings: Settings, args: argparse.Namespace) -> int:
    """One face-to-face session: for one person (--name) or everyone in a file (--attendees), for one module
    or, with --module all, every module of each person's role. The rules are :mod:`socialsafe.office.sessions`:
    everything is checked before anything is written, so a bad row or module leaves nothing half-recorded."""
    from socialsafe.office import sessions
    from socialsafe.office.authority import maybe_prover
    from socialsafe.storage.store import InputError

    try:
        sessions.check_score(args.score, args.max_score)
    except sessions.ScoreError as error:
        raise UsageError(str(error)) from error
    people = _attendees(args)
    key = require_admin(settings)
    content = _load_content(settings)
    packs = [_policy_pack(content, args.policy)] if args.policy else content.current
    try:
        covered = sessions.covered_by(packs, args.module)
    except sessions.SeveralPoliciesError as error:
        raise UsageError(_("This PC has packs for several policies: say which one with --policy.")) from error
    except sessions.UnknownModuleError as error:
        raise UserError(
            _("There is no module {module} in the current quiz pack; the modules are: {known}.").format(
                module=args.module, known=", ".join(error.known)
            )
        ) from error
    except sessions.AmbiguousModuleError as error:
        raise UsageError(
            _("Module {module} is in the packs of several policies: say which one with --policy.").format(
                module=args.module
            )
        ) from error
    session = sessions.Session(covered, args.score, args.max_score, args.date, args.note)
    store = _open_store(settings)
    lines: list[str] = []
    try:
        try:
            planned = sessions.plan(store, session, people)
        except sessions.PersonError as error:
            raise UsageError(error.reason if args.attendees is None else error.say(printable)) from error
        except sessions.OtherEmailError as error:
            raise UserError(error.say(printable)) from error
        try:
            outcomes = sessions.record(store, session, planned, maybe_prover(key))
        except InputError as error:
            raise UsageError(str(error)) from error
        for outcome in outcomes:
            line = _recorded(outcome, args)
            lines.append(line + " " + _status_line(store, content, outcome.learner, covered.pack))
    finally:
        store.close()
    for line in lines:
        _show(line)
    if len(people) > 1:
        _show(ngettext("Recorded the session for {n} person.", "Recorded the session for {n} people.", len(outcomes))
              .format(n=len(outcomes)))  # fmt: skip
    return EXIT_OK


def _attendees(args: argparse.Namespace) -> list[Attendee]:
    """Everyone at the session; UsageError or UserError before anything is written."""
    from socialsafe.office import sessions

    if args.attendees is None:
        missing = [flag for flag, value in (("--name", args.name), ("--school", args.school), ("--role", args.role))
                   if not value]  # fmt: skip
        if missing:
            raise UsageError(_("Say who was there: {flags}, or --attendees FILE.").format(flags=", ".join(missing)))
        return [sessions.Attendee(args.name, args.school, args.email, args.role)]
    if args.name or args.school or args.email or args.role:
        raise UsageError(_("Give either --attendees or --name, --school and --role, not both."))
    path = Path(args.attendees)
    try:
        people, problems = sessions.read_attendance(path)
    except sessions.AttendanceError as error:
        raise UserError(str(error)) from error
    if problems:
        _show_problems(problems, stream="stderr")
        raise UserError(
            ngettext(
                "{n} row of {file} has a problem: nothing was recorded. Correct it and run the command again.",
                "{n} rows of {file} have problems: nothing was recorded. Correct them and run the command again.",
                len(problems),
            ).format(n=len(problems), file=path)
        )
    if not people:
        raise UserError(_("{file} lists no one.").format(file=path))
    return people


def _recorded(outcome: Outcome, args: argparse.Namespace) -> str:
    """One person's line: what was recorded, and whether it reached the pass mark."""
    from socialsafe.domain.status import local_date
    from socialsafe.i18n import format_date

    learner, attempts = outcome.learner, outcome.attempts
    if not attempts:
        message = _("No module applies to the role of {name} ({school}): nothing recorded for them.").format(
            name=printable(learner.name), school=printable(learner.school)
        )
    else:
        module, attempt = attempts[0]
        assert attempt.finished_at is not None  # a manual record is finished when made
        what = (
            printable(module.title)
            if len(attempts) == 1
            else ngettext("{n} module", "{n} modules", len(attempts)).format(n=len(attempts))
        )
        message = (
            _("Recorded a pass for {name} ({school}) in {module}: {score} of {max}, on {date}.")
            if attempt.passed
            else _(
                "Recorded a result below the pass mark for {name} ({school}) in {module}: {score} of {max}, on {date}."
            )
        ).format(
            name=printable(learner.name),
            school=printable(learner.school),
            module=what,
            score=args.score,
            max=args.max_score,
            date=format_date(local_date(attempt.finished_at)),
        )
    if outcome.added:
        return _added(learner) + " " + message
    if learner.role != outcome.attendee.role:
        message += " " + _("Their role on this PC stays {role}.").format(role=printable(learner.role))
    return message


def cmd_acknowledge(settings: Settings, args: argparse.Namespace) -> int:
    from socialsafe.domain.status import local_date
    from socialsafe.i18n import format_date
    from socialsafe.office.authority import maybe_prover

    prove = maybe_prover(require_admin(settings))
    content = _load_content(settings)
    pack = _policy_pack(content, args.policy)
    store = _open_store(settings)
    try:
        learner, added = _find_or_add(store, args.name, args.school, args.email, "other", prove)
        signoff = store.acknowledge(learner.id, pack, args.name, at=_moment(args.date), source="manual", prove=prove)
        log.info("manual sign-off %s for learner %s", signoff.id, learner.id)
        status = _status_line(store, content, learner, pack)
    finally:
        store.close()
    message = _(
        "Recorded the signed paper copy of the {title}, version {version}, for {name} ({school}), on {date}."
    ).format(
        title=printable(pack.policy.title),
        version=printable(pack.policy.version),
        name=printable(learner.name),
        school=printable(learner.school),
        date=format_date(local_date(signoff.acknowledged_at)),
    )
    if added:
        message = _added(learner) + " " + message
    _show(message + " " + status)
    return EXIT_OK


def cmd_roster_import(settings: Settings, file: Path, dry_run: bool = False) -> int:
    """Preview the staff list in ``file`` against the roster in force, and save it unless ``dry_run``."""
    from socialsafe import roster
    from socialsafe.office.authority import roster_signing_for

    key = require_admin(settings)
    try:
        text = roster.decode(file.read_bytes())
    except FileNotFoundError as error:
        raise UserError(_("There is no file {file}.").format(file=file)) from error
    except OSError as error:
        raise UserError(_("Cannot read {file}: {reason}.").format(file=file, reason=error.strerror or error)) from error
    except ValueError as error:
        raise UserError(_("{file}: {problem}").format(file=file, problem=error)) from error
    store = _open_store(settings)
    try:
        share = _share_of(settings, store)
        signing = roster_signing_for(settings, store, key)
        local = roster.roster_file(None, settings.data_dir)
        moving = False  # a roster kept on this PC before a share was set moves to the share
        try:
            existing = roster.load(share, settings.data_dir, signing)
            if share is not None and not existing and local.exists():
                existing, moving = roster.load(None, settings.data_dir), True
        except roster.ShareError as error:
            _say(str(error))
            _say(_("Nothing was imported."))
            return EXIT_SHARE
        except roster.RosterError as error:
            _show_problems(error.problems)
            raise UserError(str(error)) from error
        preview = roster.preview(existing, store.learners(), text)
        _print_preview(file, preview)
        left_out = len(preview.left_out)
        if dry_run:
            _show(_("Dry run: nothing was changed."))
        elif not preview.rows:
            raise UserError(_("Nothing was imported: no row of {file} could be used.").format(file=file))
        else:
            people = roster.apply(existing, preview)
            try:
                path = roster.save(people, share, settings.data_dir, owner=store.device_id, signing=signing)
            except roster.ShareError as error:
                _say(str(error))
                _say(_("Nothing was imported."))
                return EXIT_SHARE
            except OSError as error:
                raise UserError(
                    _("Cannot write {file}: {reason}.").format(
                        file=roster.roster_file(share, settings.data_dir), reason=error.strerror or error
                    )
                ) from error
            log.info("roster imported from %s: %d people now", file, len(people))
            if moving:
                local.unlink(missing_ok=True)
                _show(_("Moved the roster kept on this PC, {old}, to the shared folder.").format(old=local))
            _show(
                ngettext(
                    "Saved the roster, {n} person, to {file}.", "Saved the roster, {n} people, to {file}.", len(people)
                ).format(n=len(people), file=path)
            )
    finally:
        store.close()
    if left_out:
        _say(
            ngettext("{n} row was left out (listed above).", "{n} rows were left out (listed above).", left_out).format(
                n=left_out
            )
        )
        return EXIT_PROBLEMS
    return EXIT_OK


def _print_preview(file: Path, preview: roster.RosterPreview) -> None:
    from socialsafe.roster import Match

    _show(ngettext("{file}: {n} row read.", "{file}: {n} rows read.", preview.read).format(file=file, n=preview.read))
    parts = [
        ngettext("{n} already on the roster", "{n} already on the roster", len(preview.of(Match.ROSTER))).format(
            n=len(preview.of(Match.ROSTER))
        )
        + _(" ({n} updated)").format(n=len(preview.updated)),
        ngettext(
            "{n} on this PC but not yet on the roster",
            "{n} on this PC but not yet on the roster",
            len(preview.of(Match.LEARNER)),
        ).format(n=len(preview.of(Match.LEARNER))),
        ngettext("{n} new", "{n} new", len(preview.of(Match.NEW))).format(n=len(preview.of(Match.NEW))),
        ngettext("{n} duplicate", "{n} duplicates", len(preview.duplicates)).format(n=len(preview.duplicates)),
        ngettext("{n} row with problems", "{n} rows with problems", len(preview.problems)).format(
            n=len(preview.problems)
        ),
    ]
    _show(", ".join(parts) + ".")
    for row in preview.updated:
        _show(
            _("{file}:{line}: {name}: {fields} will change").format(
                file=file, line=row.line, name=printable(row.name), fields=printable(", ".join(row.changes))
            )
        )
    for problem in preview.left_out:
        _show(printable(f"{file}:{problem.line}: {problem.message}"))


def cmd_erase(settings: Settings, args: argparse.Namespace) -> int:
    """Erase one person: their learner records here, in the share's view and on the roster; then sync."""
    from socialsafe.admin import EraseShareError, NoOneToEraseError, SeveralToEraseError, erase_person, erase_plan
    from socialsafe.domain.people import normalise_name

    email = (args.email or "").strip() or None
    name, school = normalise_name(args.name or ""), normalise_name(args.school or "")
    if email and (name or school):
        raise UsageError(_("Say who to erase with either --email, or --name and --school, not both."))
    if not email and not (name and school):
        raise UsageError(_("Say who to erase: --email E, or --name N with --school S."))
    key = require_admin(settings)
    store = _open_store(settings)
    try:
        share = _share_of(settings, store)
        content = _load_content(settings) if share is not None else None
        try:
            plan = erase_plan(settings, store, email, name, school)
        except NoOneToEraseError as error:
            raise UserError(str(error)) from error
        except SeveralToEraseError as error:
            raise UsageError(
                _(
                    "More than one person called {name} at {school} is known, with different email addresses "
                    "({emails}): say which with --email."
                ).format(
                    name=printable(error.name),
                    school=printable(error.school),
                    emails=printable(", ".join(error.emails)),
                )
            ) from error
        _print_erase_plan(plan)
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(_("Erasing asks for confirmation on a terminal: add --yes to erase without asking."))
            try:
                answer = input(_("Erase all of this? This cannot be undone. Type yes to confirm: "))
            except EOFError:
                answer = ""
            if answer.strip().casefold() not in ("yes", "y", _("yes").casefold()):
                _show(_("Nothing was erased."))
                return EXIT_OK
        share_error: EraseShareError | None = None
        try:
            result = erase_person(settings, store, plan, content, key=key)
        except EraseShareError as error:
            share_error, result = error, error.result
        return _print_erase_result(result, share_error)
    finally:
        store.close()


def _print_erase_result(result: EraseResult, share_error: Exception | None) -> int:
    erased = result.erased
    _show(
        ngettext("Erased {n} learner record on this PC.", "Erased {n} learner records on this PC.", erased).format(
            n=erased
        )
    )
    status = EXIT_OK
    for outcome in result.roster:
        if outcome.problem is None:
            _show(_("Removed them from the roster {file}.").format(file=outcome.file))
        elif outcome.problem == "share":
            _say(
                _(
                    "The roster in the shared folder could not be changed: run this command again when the "
                    "shared folder can be reached, to take them off it."
                )
            )
            status = EXIT_SHARE
        else:
            *problems, reason = outcome.details or [""]
            _show_problems(problems)
            _say(reason)
            _say(_("They are still on the roster {file}: take them off it by hand.").format(file=outcome.file))
            status = EXIT_PROBLEMS
    if share_error is not None:
        _say(str(share_error))
        _say(_("Erased here; it will reach the other PCs at the next sync."))
        return EXIT_SHARE
    if result.synced:
        _show(_("Shared the erasure with the other PCs through the shared folder."))
    return status


def _print_erase_plan(plan: ErasePlan) -> None:
    _show(_("This will erase:"))
    for description, where in plan.learners:
        _show("  " + _("learner record: {who} ({where})").format(who=printable(description), where=printable(where)))
    if plan.learners:
        _show("  " + plan.records_said())
    for place, entries in plan.roster.items():
        for entry in entries:
            _show("  " + _("roster entry: {who} (in {file})").format(who=printable(entry), file=printable(place)))
    if plan.share_error is not None:
        _show(
            "  "
            + _("The shared folder cannot be reached now: records only other PCs hold will be erased when they sync.")
        )


def cmd_gui(settings: Settings, startup_check: bool = False, ready_check: bool = False) -> int:
    # Qt is imported only here, so the other commands start fast and need no display.
    from socialsafe.ui.app import run

    return run(settings, startup_check=startup_check, ready_check=ready_check)


if __name__ == "__main__":
    sys.exit(main())

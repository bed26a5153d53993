"""The ``socialsafe`` command: the desktop app and the commands IT staff script.

The contract is ``shared/contracts/cli.md``. Errors reach the person as one
clear sentence on standard error; tracebacks go only to the log file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from socialsafe import __version__
from socialsafe.config import Settings
from socialsafe.i18n import _, ngettext, set_locale
from socialsafe.log import log, setup_logging
from socialsafe.paths import is_network_path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A failure the person can act on; the message is the whole story."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(_("socialsafe: {message}").format(message=message) + "\n")
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

    validate = commands.add_parser("validate", help=_("check quiz packs and print every problem"))
    validate.add_argument(
        "--coverage", action="store_true", help=_("also print which questions test each policy clause")
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help=_("pack folders or files (default: every pack the app loads)")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_locale()
    args = build_parser().parse_args(argv)
    settings = Settings.resolve(args.data_dir, args.share, args.packs)
    # Never create folders on a refused (network) data folder just to log there.
    log_file = None if is_network_path(settings.data_dir) else setup_logging(settings.data_dir)
    try:
        if args.command == "validate":
            return cmd_validate(settings, [Path(p) for p in args.paths], coverage=args.coverage)
        return cmd_gui(settings, startup_check=getattr(args, "startup_check", False))
    except UserError as error:
        _say(str(error))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        log.exception("unexpected error in %s", args.command or "gui")
        where = str(log_file) if log_file else _("the log file")
        _say(
            _("Something went wrong ({error}). The details are in {log}.").format(error=type(error).__name__, log=where)
        )
        return EXIT_PROBLEMS


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_validate(settings: Settings, targets: list[Path], coverage: bool = False) -> int:
    from socialsafe.content.coverage import coverage_report
    from socialsafe.content.loader import Content, Problem, load_all

    content = settings.load_content() if not targets else Content()
    for target in targets:
        found = load_all([target])
        content.packs.extend(found.packs)
        content.problems.extend(found.problems)
        if not found.packs and not found.problems:
            # A folder named on purpose but holding no pack is a mistake (a misnamed pack.toml).
            content.problems.append(Problem(target, _("no quiz pack here (a pack is a folder holding pack.toml)")))
    problems = content.problems
    for problem in problems:
        print(problem)
    if coverage:
        for pack in content.packs:
            print(coverage_report(pack))
    checked = len(content.packs)
    bad = len(problems)
    summary = ngettext("{n} pack is valid.", "{n} packs are valid.", checked).format(n=checked)
    if bad:
        summary += " " + ngettext("{n} problem found.", "{n} problems found.", bad).format(n=bad)
    _say(summary)
    return EXIT_PROBLEMS if bad else EXIT_OK


def cmd_gui(settings: Settings, startup_check: bool = False) -> int:
    # Qt is imported only here, so the other commands start fast and need no display.
    from socialsafe.ui.app import run

    return run(settings, startup_check=startup_check)


if __name__ == "__main__":
    sys.exit(main())

"""The start of both programs in the PyInstaller bundle (packaging/socialsafe.spec).

``SocialSafe`` (windowed) and ``socialsafe-cli`` (console) are the same
program, the ``socialsafe`` command of the wheel: with no sub-command it opens
the app, and every sub-command and option of the command-line contract works
in both. They differ only in how Windows starts them: the windowed one gets no
console window, and so no standard output either, so use ``socialsafe-cli``
from a terminal or a scheduled task.
"""

from __future__ import annotations

import os
import sys


def _give_streams() -> None:
    """A windowed Windows program starts with sys.stdout and sys.stderr set to None: write those to nowhere.

    Without this, a usage error or a message on standard error would itself fail.
    Details still reach the log file in the data folder.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (open for the whole run)


def _arguments() -> list[str]:
    # Old macOS versions add a process serial number when the .app is opened from the Finder.
    return [arg for arg in sys.argv[1:] if not arg.startswith("-psn_")]


if __name__ == "__main__":
    _give_streams()
    from socialsafe.cli import main

    sys.exit(main(_arguments()))

"""The real app on a private X display and accessibility bus, read as a screen reader reads it.

Used by tests/test_atspi.py. It starts, each in a process group of its own and
all stopped at the end:

* ``Xvfb`` on a free display, one 1024 × 600 screen;
* a private D-Bus session (``dbus-daemon --session``), so nothing on this machine's
  own buses sees the app or is seen;
* the AT-SPI bus launcher on it (``at-spi-bus-launcher``, with its registry), the
  accessibility bus Orca reads;
* the app itself, ``python -m socialsafe`` on Qt's xcb platform with its
  accessibility bridge on, its window given the keyboard by ``xdotool`` once it
  is shown (as a window manager would; Xvfb has none);
* :mod:`atspi_reader` under the system's python3, which has pyatspi (Debian's
  python3-pyatspi); the venv has no such module, so the two talk in JSON lines.

What a machine lacks for this is said in one sentence by :func:`missing`. The tests
are skipped with it, unless ``SOCIALSAFE_REQUIRE_ATSPI=1`` (set by ``.ci/run``),
where it is a failure: CI must not pass by skipping them.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, TypeVar

HERE = Path(__file__).parent
READER = HERE / "atspi_reader.py"
SYSTEM_PYTHON = "/usr/bin/python3"
SCREEN = (1024, 600)  # a small school laptop's screen
APP_NAME = "SocialSafe"
LAUNCHERS = (
    "/usr/libexec/at-spi-bus-launcher",
    "/usr/lib/at-spi2-core/at-spi-bus-launcher",
    "/usr/lib/x86_64-linux-gnu/at-spi-bus-launcher",
    "/usr/lib/aarch64-linux-gnu/at-spi-bus-launcher",
)
REQUIRED = os.environ.get("SOCIALSAFE_REQUIRE_ATSPI") == "1"

Node = dict[str, Any]
T = TypeVar("T")


class AtspiError(RuntimeError):
    """The reader could not answer (the app gone, an object gone under a walk)."""


def launcher() -> str | None:
    return next((path for path in LAUNCHERS if os.access(path, os.X_OK)), None)


def missing() -> str | None:
    """What this machine lacks to run the app under Xvfb and read it through AT-SPI, or None."""
    if not sys.platform.startswith("linux"):
        return "the AT-SPI tests need Linux (AT-SPI is Linux's accessibility bus)"
    wanted = {
        "Xvfb": "xvfb",
        "dbus-daemon": "dbus",
        "dbus-send": "dbus",
        "xdotool": "xdotool",
    }
    lacking = sorted({package for program, package in wanted.items() if shutil.which(program) is None})
    if launcher() is None:
        lacking.append("at-spi2-core")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        lacking.append("python3")
    else:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0'); import pyatspi"],
            capture_output=True,
            timeout=60,
        )
        if probe.returncode != 0:
            lacking.append("python3-pyatspi")
    if lacking:
        return "the AT-SPI tests need Debian's " + ", ".join(lacking) + " (.ci/run installs them)"
    return None


def until(what: str, check: Callable[[], T | None], timeout: float = 20.0, every: float = 0.1) -> T:
    """``check()``'s first truthy answer, asked again and again for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while True:
        try:
            answer = check()
            if answer:
                return answer
        except AtspiError as error:  # the screen changing under a walk: ask again
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" ({last})" if last else ""))
        time.sleep(every)


class Processes:
    """Processes started for the tests, each in its own process group, stopped in the reverse order."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen[Any], IO[Any]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], **popen: Any) -> subprocess.Popen[Any]:
        log = (self.logs / f"{name}.log").open("w")
        popen.setdefault("stdout", log)
        popen["stderr"] = log
        process = subprocess.Popen(args, env=env, start_new_session=True, **popen)
        self.started.append((name, process, log))
        return process

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for _name, process, log in reversed(self.started):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            for stream in (process.stdin, process.stdout, log):
                if stream is not None:
                    stream.close()
        self.started.clear()


def read_line(stream: IO[str], timeout: float, what: str) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise AtspiError(f"no answer from {what} in {timeout:.0f} s")
    line = stream.readline()
    if not line:
        raise AtspiError(f"{what} has stopped")
    return line


def read_fd(fd: int, timeout: float, what: str) -> str:
    """The first line a program writes on the pipe ``fd`` (a display number, a bus address)."""
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise AtspiError(f"{what} did not start in {timeout:.0f} s")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AtspiError(f"{what} stopped before it started")
        data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


class Reader:
    """tests/atspi_reader.py, asked over its standard input and output."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        assert process.stdout is not None
        read_line(process.stdout, 60, "the AT-SPI reader")

    def ask(self, cmd: str, timeout: float = 30, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(read_line(self.process.stdout, timeout, "the AT-SPI reader"))
        if "error" in reply:
            raise AtspiError(reply["error"])
        return reply

    def screen(self) -> list[Node]:
        """Every object of the app showing now (walked again if the screen changed under the walk)."""
        return until("a whole walk of the screen", lambda: self.ask("screen")["nodes"], timeout=10)

    def focus(self) -> Node | None:
        focus: Node | None = self.ask("focus")["focus"]
        return focus

    def keys(self, *keys: str | dict[str, Any]) -> None:
        """Keys by their X names ("Tab", "space", "Return", "1"), or dicts as the reader takes them."""
        self.ask("keys", keys=[{"sym": k} if isinstance(k, str) else k for k in keys])

    def type(self, text: str) -> None:
        self.ask("keys", keys=[{"text": text}])

    def events(self) -> list[dict[str, Any]]:
        heard: list[dict[str, Any]] = self.ask("events")["events"]
        return heard


@contextmanager
def app_on_a_screen(workdir: Path, app_args: Iterable[str], app_env: dict[str, str]) -> Iterator[Reader]:
    """The app running on a new X display and accessibility bus, and a reader of it; all stopped afterwards."""
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = Processes(logs)
    try:
        # Nothing of this machine's own display, buses, Qt settings or SocialSafe settings.
        ours = ("DBUS_", "AT_SPI", "DISPLAY", "WAYLAND_", "QT_", "SOCIALSAFE_")
        base = {k: v for k, v in os.environ.items() if not k.startswith(ours)}

        out, into = os.pipe()
        try:
            width, height = SCREEN
            args = ["Xvfb", "-displayfd", str(into), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"]
            processes.start("xvfb", args, base, pass_fds=(into,))
            os.close(into)
            base["DISPLAY"] = ":" + read_fd(out, 30, "Xvfb")
        finally:
            os.close(out)

        out, into = os.pipe()
        try:
            args = ["dbus-daemon", "--session", "--nofork", f"--print-address={into}"]
            processes.start("dbus", args, base, pass_fds=(into,))
            os.close(into)
            base["DBUS_SESSION_BUS_ADDRESS"] = read_fd(out, 30, "the D-Bus session")
        finally:
            os.close(out)

        bus_launcher = launcher()
        assert bus_launcher is not None
        processes.start("at-spi-bus", [bus_launcher, "--launch-immediately"], base)
        until("the AT-SPI bus launcher on the session bus", lambda: _owned(base, "org.a11y.Bus"), timeout=30)

        reader_process = processes.start(
            "reader",
            [SYSTEM_PYTHON, str(READER)],
            base,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        reader = Reader(reader_process)

        env = {
            **base,
            **app_env,
            "QT_QPA_PLATFORM": "xcb",
            "QT_ACCESSIBILITY": "1",
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        }
        app = processes.start("app", [sys.executable, "-m", "socialsafe", *app_args], env)

        def shown() -> bool:
            if app.poll() is not None:
                raise AssertionError(f"the app stopped ({app.returncode}): {processes.log('app')}")
            found = reader.ask("app", name=APP_NAME)
            return bool(found["found"] and found["windows"])

        until("the app's window on the accessibility bus", shown, timeout=90, every=0.3)
        # What a window manager does for a new window: give it the keyboard. Xvfb has none; from here on
        # only keys move the focus.
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{APP_NAME}$", "windowfocus", "--sync"],
            env=base,
            check=True,
            timeout=60,
            capture_output=True,
        )
        yield reader
    finally:
        processes.stop()


def _owned(env: dict[str, str], name: str) -> bool:
    answer = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return "boolean true" in answer.stdout

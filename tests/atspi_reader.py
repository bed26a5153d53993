#!/usr/bin/python3
"""Read the app as assistive technology does, through AT-SPI, for tests/test_atspi.py.

Run by the system's python3, which has pyatspi (Debian's python3-pyatspi), not by the
project's venv. It joins the accessibility bus of the D-Bus session in its
environment, and answers one JSON request a line on standard input with one JSON
reply a line on standard output:

* ``{"cmd": "app", "name": "SocialSafe"}``: whether that application is on the bus
  with a window showing.
* ``{"cmd": "screen"}``: every object of the app that is showing, walked from its
  windows down (a subtree not showing is left out, as a screen reader leaves it).
* ``{"cmd": "focus"}``: the object that has the keyboard focus, as the focus events
  said (checked against its state), and where it is seen (see ``where_shown``).
* ``{"cmd": "keys", "keys": [...]}``: key presses through AT-SPI's device controller
  (XTest underneath): ``{"sym": "Tab"}``, ``{"text": "Amina"}``, ``{"sym": "s",
  "mods": ["ctrl", "shift"]}``.
* ``{"cmd": "events"}``: the events heard since the last such request (announcements,
  focus changes), then forgotten.

An object is told as a dict: role, name, description, states, interfaces, extents
on the screen ``[x, y, width, height]``, attributes, its text through the Text
interface where it has one, and ``path``, its child indexes from the application.
Between requests the GLib main loop runs, so that events are heard as they come.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

import gi

gi.require_version("Atspi", "2.0")
import pyatspi  # noqa: E402  (after the version is chosen)
from gi.repository import Atspi, GLib  # noqa: E402

KEYSYMS = {
    "Tab": 0xFF09,
    "Return": 0xFF0D,
    "Escape": 0xFF1B,
    "space": 0x20,
    "Up": 0xFF52,
    "Down": 0xFF54,
    "Left": 0xFF51,
    "Right": 0xFF53,
    "Page_Down": 0xFF56,
    "Page_Up": 0xFF55,
    "Home": 0xFF50,
    "End": 0xFF57,
    "BackSpace": 0xFF08,
}
MODIFIERS = {"shift": 1 << 0, "ctrl": 1 << 2, "alt": 1 << 3}
# Every event of objects and windows, as Orca listens: Qt sends only those someone listens for, and AT-SPI's
# cache of names and states stays right only while the changes are heard.
EVENTS = ("object:", "window:", "focus:")
KEPT = ("object:announcement", "object:state-changed:focused", "focus")  # those told to the test


class Reader:
    """Answers the requests; hears the events between them."""

    def __init__(self) -> None:
        self.app_name = "SocialSafe"
        self.heard: list[dict[str, Any]] = []
        self.focused: Any = None
        self.buffer = b""

    # What an object is -----------------------------------------------------------------------------

    def describe(self, acc: Any, path: list[int]) -> dict[str, Any]:
        states = [pyatspi.stateToString(s) for s in acc.getState().getStates()]
        interfaces = list(pyatspi.listInterfaces(acc))
        extents = self.extents(acc) if "Component" in interfaces else None
        text = None
        caret = None
        if "Text" in interfaces:
            reading = acc.queryText()
            text = reading.getText(0, -1)
            caret = reading.caretOffset
        return {
            "role": acc.getRoleName(),
            "name": acc.name or "",
            "description": acc.description or "",
            "states": states,
            "interfaces": interfaces,
            "extents": extents,
            "attributes": dict(a.split(":", 1) for a in acc.getAttributes() if ":" in a),
            "text": text,
            "caret": caret,
            "path": path,
        }

    def application(self) -> Any:
        desktop = pyatspi.Registry.getDesktop(0)
        for index in range(desktop.childCount):
            app = desktop.getChildAtIndex(index)
            if app is not None and app.name == self.app_name:
                return app
        return None

    def walk(self, acc: Any, path: list[int], into: list[dict[str, Any]]) -> None:
        node = self.describe(acc, path)
        if path and "showing" not in node["states"]:
            return  # a page of a stack not shown, a popup closed: not on screen, not read
        into.append(node)
        for index in range(acc.childCount):
            child = acc.getChildAtIndex(index)
            if child is not None:
                self.walk(child, [*path, index], into)

    def path_of(self, acc: Any) -> list[int]:
        path = []
        while acc is not None and acc.getRoleName() != "application":
            path.insert(0, acc.getIndexInParent())
            acc = acc.parent
        return path

    # Requests ----------------------------------------------------------------------------------

    def do_app(self, request: dict[str, Any]) -> dict[str, Any]:
        self.app_name = request.get("name", self.app_name)
        app = self.application()
        if app is None:
            return {"found": False}
        windows = [app.getChildAtIndex(i) for i in range(app.childCount)]
        showing = [w for w in windows if w is not None and w.getState().contains(pyatspi.STATE_SHOWING)]
        return {"found": True, "pid": app.get_process_id(), "windows": len(showing)}

    def do_screen(self, _request: dict[str, Any]) -> dict[str, Any]:
        app = self.application()
        if app is None:
            return {"error": "the application is not on the accessibility bus"}
        nodes: list[dict[str, Any]] = []
        self.walk(app, [], nodes)
        return {"nodes": nodes}

    def where_shown(self, acc: Any) -> dict[str, Any]:
        """Where ``acc`` is seen: ``view``, the part of the screen that what holds it shows (its window cut by
        every scrolling page it is in); ``in_view``, the part of ``acc`` in that view (null if none);
        ``caret_box``, where its caret is, for an object with text.

        A control scrolled out of a page's view keeps its extents, above or below the view: what holds it
        does not reach there.
        """
        view: list[int] | None = None
        parent = acc.parent
        while parent is not None and parent.getRoleName() != "application":
            if "Component" in pyatspi.listInterfaces(parent):
                view = self.cut(view, self.extents(parent)) if view is not None else self.extents(parent)
            parent = parent.parent
        own = self.extents(acc)
        caret_box = None
        if "Text" in pyatspi.listInterfaces(acc):
            text = acc.queryText()
            at = min(max(text.caretOffset, 0), max(text.characterCount - 1, 0))
            if text.characterCount:
                box = text.getCharacterExtents(at, pyatspi.DESKTOP_COORDS)
                caret_box = [box[0], box[1], box[2], box[3]]
        return {"view": view, "in_view": self.cut(own, view) if view is not None else own, "caret_box": caret_box}

    @staticmethod
    def cut(box: list[int] | None, by: list[int]) -> list[int] | None:
        if box is None:
            return None
        left, top = max(box[0], by[0]), max(box[1], by[1])
        right, bottom = min(box[0] + box[2], by[0] + by[2]), min(box[1] + box[3], by[1] + by[3])
        return [left, top, right - left, bottom - top] if right > left and bottom > top else None

    def extents(self, acc: Any) -> list[int]:
        box = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        return [box.x, box.y, box.width, box.height]

    def do_focus(self, _request: dict[str, Any]) -> dict[str, Any]:
        acc = self.focused
        if acc is None or not acc.getState().contains(pyatspi.STATE_FOCUSED):
            # No focus event yet, or an old one: look for the object that says it has the focus.
            acc = None
            app = self.application()
            nodes: list[dict[str, Any]] = []
            if app is not None:
                self.walk(app, [], nodes)
            found = [n for n in nodes if "focused" in n["states"]]
            if found:
                acc = app
                for index in found[-1]["path"]:
                    acc = acc.getChildAtIndex(index)
        if acc is None:
            return {"focus": None}
        return {"focus": {**self.describe(acc, self.path_of(acc)), **self.where_shown(acc)}}

    def do_keys(self, request: dict[str, Any]) -> dict[str, Any]:
        for key in request["keys"]:
            if "text" in key:
                pyatspi.Registry.generateKeyboardEvent(0, key["text"], pyatspi.KEY_STRING)
                continue
            sym = KEYSYMS.get(key["sym"]) or ord(key["sym"])
            mask = sum(MODIFIERS[m] for m in key.get("mods", []))
            if mask:
                Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.LOCKMODIFIERS)
            try:
                pyatspi.Registry.generateKeyboardEvent(sym, None, pyatspi.KEY_SYM)
            finally:
                if mask:
                    Atspi.generate_keyboard_event(mask, None, Atspi.KeySynthType.UNLOCKMODIFIERS)
        return {"sent": len(request["keys"])}

    def do_events(self, _request: dict[str, Any]) -> dict[str, Any]:
        heard, self.heard = self.heard, []
        return {"events": heard}

    # Events ----------------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        try:
            if not event.type.startswith(KEPT):
                return
            source = event.source
            # What Orca follows: the object whose focused state came on, or a focus event's source.
            if event.type.startswith("focus") or (event.type.startswith("object:state-changed") and event.detail1):
                self.focused = source
            data = event.any_data
            self.heard.append(
                {
                    "type": str(event.type),
                    "detail1": event.detail1,
                    "detail2": event.detail2,
                    "data": data if isinstance(data, str | int | float) else None,
                    "role": source.getRoleName() if source is not None else None,
                    "name": (source.name or "") if source is not None else None,
                }
            )
        except Exception:  # an object gone before its event was read: nothing to tell
            traceback.print_exc(file=sys.stderr)

    # The loop ------------------------------------------------------------------------------------

    def on_input(self, fd: int, _condition: Any) -> bool:
        chunk = os.read(fd, 65536)
        if not chunk:
            pyatspi.Registry.stop()
            return False
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.strip():
                self.answer(json.loads(line))
        return True

    def answer(self, request: dict[str, Any]) -> None:
        try:
            reply = getattr(self, "do_" + request["cmd"])(request)
        except Exception as error:  # told to the test, which decides: a screen changing under the walk is retried
            reply = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main() -> None:
    reader = Reader()
    for kind in EVENTS:
        pyatspi.Registry.registerEventListener(reader.on_event, kind)
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, reader.on_input)
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    pyatspi.Registry.start()


if __name__ == "__main__":
    main()

"""Home: the modules that apply to this person, with where they stand on each."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from socialsafe.content.loader import Content
from socialsafe.domain.progress import ModuleProgress, ModuleStatus, overall
from socialsafe.i18n import _, format_date, format_percent, ngettext
from socialsafe.storage.models import Learner
from socialsafe.storage.store import Store
from socialsafe.training import progress_for, status_of
from socialsafe.ui.widgets import button, card, clear, esc, label, page_layout, scrolling, status_text

# At most this many pack problems are listed; the rest are counted.
SHOWN_PROBLEMS = 4


class HomePage(QWidget):
    open_module = Signal(str, str)  # pack id, module id
    open_summary = Signal(str)  # pack id

    def __init__(self, store: Store, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.content = content
        body = QWidget()
        self.body = page_layout(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(body, _("Your training")))

    def show_learner(self, learner: Learner) -> None:
        clear(self.body)
        self.body.addWidget(label(_("Hello, {name}").format(name=learner.name), "h1"))
        if self.content.problems:
            self.body.addWidget(self._problems_banner())
        packs = self.content.current
        if not packs:
            self.body.addWidget(
                label(
                    _(
                        "There is no training to take on this PC yet: no quiz pack could be loaded. "
                        "Please tell the school office."
                    ),
                    "muted",
                )
            )
        first_button = None
        for pack in packs:
            status = status_of(self.store, self.content, learner, pack)
            progress = progress_for(self.store, learner, pack, status)
            policy = pack.policy
            self.body.addWidget(
                label(
                    _("{title}, version {version} (adopted {date})").format(
                        title=policy.title, version=policy.version, date=format_date(policy.adopted)
                    ),
                    "h2",
                )
            )
            if pack.header.summary:
                glance = button(
                    _("Read the policy at a glance"),
                    _("Read the policy at a glance"),
                    description=_("A one-page summary to read before you start"),
                )
                glance.clicked.connect(lambda _checked=False, pid=pack.id: self.open_summary.emit(pid))
                row = QHBoxLayout()
                row.addWidget(glance)
                row.addStretch(1)
                self.body.addLayout(row)
            done, total = overall(progress)
            summary = ngettext("{done} of {total} module passed", "{done} of {total} modules passed", total).format(
                done=done, total=total
            )
            bar = QProgressBar()
            bar.setRange(0, max(total, 1))
            bar.setValue(done)
            bar.setFormat(summary)
            bar.setAccessibleName(_("Your progress"))
            bar.setAccessibleDescription(summary)
            self.body.addWidget(bar)
            if not progress:
                self.body.addWidget(label(_("No module of this course applies to your role."), "muted"))
            for item in progress:
                frame, start = self._module_card(pack.id, item)
                self.body.addWidget(frame)
                first_button = first_button or start
        self.body.addStretch(1)
        if first_button is not None:
            first_button.setFocus()

    def _module_card(self, pack_id: str, item: ModuleProgress) -> tuple[QWidget, QWidget]:
        module = item.module
        frame, _layout = card()
        row = QHBoxLayout()
        _layout.addLayout(row)
        text = QVBoxLayout()
        text.addWidget(label(module.title, "h2"))
        facts = ngettext("{n} question", "{n} questions", module.draw).format(n=module.draw)
        facts += "  ·  " + _("pass mark {mark}").format(mark=format_percent(module.pass_mark))
        if item.best_score is not None:
            facts += "  ·  " + _("your best {score}").format(score=format_percent(item.best_score))
        text.addWidget(label(facts, "muted"))
        row.addLayout(text, 1)
        side = QVBoxLayout()
        status = label(status_text(item.status))
        status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status.setStyleSheet(f"color: {_STATUS_COLOURS[item.status]}; font-weight: 600;")
        verb = {
            ModuleStatus.NOT_STARTED: _("Start"),
            ModuleStatus.IN_PROGRESS: _("Continue"),
            ModuleStatus.NOT_PASSED: _("Try again"),
            ModuleStatus.PASSED: _("Practise again"),
        }[item.status]
        start = button(
            verb,
            _("{verb}: {module}").format(verb=verb, module=module.title),
            primary=item.status is not ModuleStatus.PASSED,
            description=status_text(item.status),
        )
        start.clicked.connect(lambda: self.open_module.emit(pack_id, module.id))
        side.addWidget(status)
        side.addWidget(start, 0, Qt.AlignmentFlag.AlignRight)
        row.addLayout(side)
        return frame, start

    def _problems_banner(self) -> QWidget:
        frame, layout = card("banner")
        problems = self.content.problems
        lines = [
            "<b>"
            + esc(_("Some training content could not be loaded and has been left out. Please tell the school office."))
            + "</b>"
        ]
        lines += [esc(str(p)) for p in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            more = len(problems) - SHOWN_PROBLEMS
            lines.append(esc(ngettext("…and {n} more problem.", "…and {n} more problems.", more).format(n=more)))
        text = label("<br>".join(lines), rich=True)
        text.setAccessibleName(_("Warning: some training content was left out"))
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        return frame


# Darker shades that keep 4.5:1 contrast on white; the words carry the meaning too.
_STATUS_COLOURS = {
    ModuleStatus.NOT_STARTED: "#4a524e",
    ModuleStatus.IN_PROGRESS: "#8a5300",
    ModuleStatus.PASSED: "#1e6b34",
    ModuleStatus.NOT_PASSED: "#a1231b",
}

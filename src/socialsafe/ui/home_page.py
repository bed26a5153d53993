"""Home: the modules that apply to this person, with where they stand on each."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from socialsafe.content.loader import Content
from socialsafe.content.model import ModuleKind, Pack
from socialsafe.content.translation import offered
from socialsafe.domain.progress import ModuleProgress, ModuleStatus
from socialsafe.domain.status import CheckPurpose, PersonStatus, Status
from socialsafe.i18n import _, format_date, format_percent, ngettext
from socialsafe.storage.models import Acknowledgement, Learner
from socialsafe.storage.store import Store
from socialsafe.training import progress_for, status_of
from socialsafe.ui.flow import FlowRow
from socialsafe.ui.reading import ReadingText, follow_focus
from socialsafe.ui.style import MODULE_TONES, TRAINING_TONES, set_tone
from socialsafe.ui.widgets import announce, button, card, clear, esc, label, page_layout, scrolling, status_text

# At most this many pack problems are listed; the rest are counted.
SHOWN_PROBLEMS = 4


class HomePage(QWidget):
    open_module = Signal(str, str)  # pack id, module id
    open_summary = Signal(str)  # pack id
    sign_off = Signal(str)
    refresher = Signal(str)
    what_changed = Signal(str)
    my_record = Signal(str)
    save_certificate = Signal(str)  # pack id: the certificate of the training just completed, saved as a PDF

    def __init__(self, store: Store, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.content = content
        body = QWidget()
        self.body = page_layout(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area = scrolling(body, _("Your training"))
        follow_focus(area)
        outer.addWidget(area)
        # Each person's sign-offs as this page last showed them: one more since then was just signed here.
        self._signoffs_seen: dict[str, set[str]] = {}
        self._role = ""  # the person's role: how many questions their modules ask
        self._to_say: tuple[QWidget, str] | None = None  # a confirmation, said once the page is on screen

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._say()

    def _say(self) -> None:
        if self._to_say is not None:
            (widget, text), self._to_say = self._to_say, None
            announce(widget, text)

    def _new_signoffs(self, learner: Learner) -> list[Acknowledgement]:
        """The person's sign-offs made in the app since this page last showed them (none the first time)."""
        signoffs = self.store.acknowledgements(learner.id)
        seen = self._signoffs_seen.get(learner.id)
        self._signoffs_seen[learner.id] = {s.id for s in signoffs}
        if seen is None:
            return []
        return [s for s in signoffs if s.id not in seen and s.source == "app"]

    def show_learner(self, learner: Learner) -> None:
        clear(self.body)
        self._to_say = None
        signed_now = self._new_signoffs(learner)
        self._role = learner.role
        self.body.addWidget(label(_("Hello, {name}").format(name=learner.name), "h1"))
        confirmed: ReadingText | None = None
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
        focus: QWidget | None = None
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
            if not offered(pack):
                # Said, not silently mixed: a course is shown in a language only when its translation is whole.
                self.body.addWidget(
                    label(_("This course is in English for now: its translation into your language is not complete."))
                )
            signed = [s for s in signed_now if (s.policy_id, s.policy_version) == (pack.policy.id, pack.policy.version)]
            card_says_all = False
            if signed and confirmed is None:
                frame, confirmed = self._confirmation(pack, signed[-1], status)
                self.body.addWidget(frame)  # above where the person stands: the first thing said and seen
                card_says_all = _completes(status)
            # Where the card says the training is complete and until when, the panel does not say it again.
            panel, action = self._status_panel(pack, status, headline=not card_says_all)
            self.body.addWidget(panel)
            focus = focus or action
            bar = QProgressBar()
            bar.setRange(0, max(status.modules_total, 1))
            bar.setValue(status.modules_passed)
            summary = ngettext(
                "{done} of {total} module passed", "{done} of {total} modules passed", status.modules_total
            ).format(done=status.modules_passed, total=status.modules_total)
            # The words beside the bar, not on it: text across the filled part could not be read in every theme.
            bar.setFormat(summary)
            bar.setTextVisible(False)
            bar.setAccessibleName(_("Your progress"))
            bar.setAccessibleDescription(summary)
            self.body.addWidget(label(summary))
            self.body.addWidget(bar)
            if not progress:
                self.body.addWidget(label(_("No module of this course applies to your role."), "muted"))
            for item in progress:
                frame, start = self._module_card(pack, item, status)
                self.body.addWidget(frame)
                focus = focus or start
        self.body.addStretch(1)
        if confirmed is not None:
            # Signing is done: said, shown first and where the keyboard is, to be read again (WCAG 4.1.3).
            focus = confirmed
            self._to_say = (confirmed, confirmed.text())
        if focus is not None:
            focus.setFocus()
        if self.isVisible():
            self._say()

    def _confirmation(self, pack: Pack, signoff: Acknowledgement, status: PersonStatus) -> tuple[QWidget, ReadingText]:
        """What signing did, in a card: when, what was signed, until when the training is valid; and, the
        training complete, its certificate to save, one press away."""
        frame, layout = card("feedback-right")
        signed_on = format_date(signoff.acknowledged_at.astimezone().date())
        policy = {"title": pack.policy.title, "version": signoff.policy_version}
        if _completes(status) and status.expires_on:
            text = _(
                "✔ Signed on {date}. You have signed the {title}, version {version}: your training is complete "
                "and valid until {expires}."
            ).format(date=signed_on, expires=format_date(status.expires_on), **policy)
        else:
            text = _("✔ Signed on {date}. You have signed the {title}, version {version}.").format(
                date=signed_on, **policy
            )
        words = ReadingText(_("Your signature"))
        words.show_text(text)
        layout.addWidget(words)
        if _completes(status):
            save = button(
                _("Save your certificate…"),
                _("Save your certificate as a PDF"),
                primary=True,
                description=_("The certificate of the training you have just completed"),
            )
            pid = pack.id
            save.clicked.connect(lambda: self.save_certificate.emit(pid))
            row = FlowRow()
            row.add(save)
            layout.addLayout(row)
        return frame, words

    def _status_panel(self, pack: Pack, status: PersonStatus, headline: bool = True) -> tuple[QWidget, QWidget | None]:
        """Where the person stands, in words and colour (unless ``headline`` is False: said just above), with
        the next thing to do."""
        frame, layout = card("banner" if status.status in _ATTENTION else "card")
        expires = format_date(status.expires_on) if status.expires_on else ""
        text = {
            Status.COMPLETE: _("✔ Your training is complete. It is valid until {date}.").format(date=expires),
            Status.DUE_SOON: _("◷ Your training runs out on {date}. Take the short refresher to renew it.").format(
                date=expires
            ),
            Status.EXPIRED: _("✖ Your training ran out on {date}. Take the short refresher to renew it.").format(
                date=expires
            ),
            Status.UPDATE_NEEDED: _(
                "⟳ The policy has changed to version {version}. Redo the modules marked below, "
                "then sign the new version."
            ).format(version=status.policy_version),
            Status.IN_PROGRESS: _("When you have passed every module, you sign the policy to complete your training."),
            Status.NOT_STARTED: _(
                "Start with the policy at a glance, then work through the modules. Each takes 5 to 10 minutes."
            ),
            Status.EXEMPT: _("You are exempt from this training for now."),
        }[status.status]
        if status.renewing and status.status is Status.COMPLETE:
            # Optional: the training is complete; signing now starts its new year from today.
            text = _(
                "✔ Your training is complete. It is valid until {date}. You passed the refresher: sign the policy "
                "again if you want your training to run from today."
            ).format(date=expires)
        elif status.renewing:
            text = _("✍ You passed the refresher. One step left: sign the policy again to renew your training.")
        elif status.awaiting_signoff:
            text = _("✍ One step left: sign the policy to complete your training.")
        if headline:
            words = label(text)
            # The words and symbol say where the person stands; the colour only repeats it.
            set_tone(words, TRAINING_TONES[status.status] if status.status in _TONED else "strong")
            words.setAccessibleName(text)
            layout.addWidget(words)
        row = FlowRow()  # with large text the buttons wrap onto a second line
        action: QWidget | None = None
        pid = pack.id
        if status.renewing:
            action = button(
                _("Sign again to renew"),
                _("Sign the policy again to renew"),
                primary=status.status is not Status.COMPLETE,
            )
            action.clicked.connect(lambda: self.sign_off.emit(pid))
            row.add(action)
        elif status.awaiting_signoff:
            action = button(_("Sign the policy"), _("Sign the policy"), primary=True)
            action.clicked.connect(lambda: self.sign_off.emit(pid))
            row.add(action)
        elif status.status in (Status.DUE_SOON, Status.EXPIRED) and pack.header.pack.refresher:
            action = button(_("Take the refresher"), _("Take the short refresher"), primary=True)
            action.clicked.connect(lambda: self.refresher.emit(pid))
            row.add(action)
        if status.status is Status.UPDATE_NEEDED:
            changed = button(_("See what changed"), _("See what changed in the policy"))
            changed.clicked.connect(lambda: self.what_changed.emit(pid))
            row.add(changed)
            action = action or changed
        if pack.header.summary:
            glance = button(
                _("Read the policy at a glance"),
                _("Read the policy at a glance"),
                description=_("A one-page summary to read before you start"),
            )
            glance.clicked.connect(lambda: self.open_summary.emit(pid))
            row.add(glance)
        record = button(
            _("My record and certificate") if status.completed_at else _("My record"),
            _("My record"),
            description=_("Your attempts, sign-offs and certificate"),
        )
        record.clicked.connect(lambda: self.my_record.emit(pid))
        row.add(record)
        layout.addLayout(row)
        return frame, action

    def _module_card(self, pack: Pack, item: ModuleProgress, person: PersonStatus) -> tuple[QWidget, QWidget]:
        module, pack_id = item.module, pack.id
        frame, _layout = card()
        row = QHBoxLayout()
        _layout.addLayout(row)
        text = QVBoxLayout()
        text.addWidget(label(module.title, "h2"))
        count = module.draw_for(self._role)  # a shorter path for some roles
        facts = ngettext("{n} question", "{n} questions", count).format(n=count)
        facts += "  ·  " + _("pass mark {mark}").format(mark=format_percent(module.pass_mark))
        if item.best_score is not None:
            facts += "  ·  " + _("your best {score}").format(score=format_percent(item.best_score))
        purpose, check = "", None
        if module.kind is ModuleKind.MIXED:
            facts += "  ·  " + _("a mix from every module")
            expires = format_date(person.expires_on) if person.expires_on else ""
            check = person.final_check_purpose(module.id, pack.header.pack.refresher)
            purpose = {
                CheckPurpose.PRACTICE: _("Optional practice: you do not need it to complete your training."),
                CheckPurpose.REFRESHER_LATER: _(
                    "The yearly refresher: take it when your training is due to run out (on {date}). "
                    "You do not need it now."
                ).format(date=expires),
                CheckPurpose.RENEWS: _(
                    "The yearly refresher: pass it and sign the policy again to renew your training."
                ),
            }[check]
        if item.carried_over:
            facts += "  ·  " + _("carried over: its part of the policy did not change")
        text.addWidget(label(facts, "muted"))
        if purpose:
            text.addWidget(label(purpose))
        row.addLayout(text, 1)
        side = QVBoxLayout()
        status = label(status_text(item.status))
        status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        set_tone(status, MODULE_TONES[item.status])
        verb = {
            ModuleStatus.NOT_STARTED: _("Start"),
            ModuleStatus.IN_PROGRESS: _("Continue"),
            ModuleStatus.NOT_PASSED: _("Try again"),
            ModuleStatus.PASSED: _("Practise again"),
        }[item.status]
        optional = check in (CheckPurpose.PRACTICE, CheckPurpose.REFRESHER_LATER)
        start = button(
            verb,
            _("{verb}: {module}").format(verb=verb, module=module.title),
            # An optional check is never the thing to do next.
            primary=item.status is not ModuleStatus.PASSED and not optional,
            description=" ".join(filter(None, [status_text(item.status), purpose])),
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


def _completes(status: PersonStatus) -> bool:
    """Whether the training is complete, with a date it is valid until: what a certificate shows."""
    return status.status is Status.COMPLETE and status.expires_on is not None and not status.renewing


_ATTENTION = {Status.DUE_SOON, Status.EXPIRED, Status.UPDATE_NEEDED}
# Statuses whose headline is shown in their colour (beside the symbol and words); the rest in plain text.
_TONED = {Status.COMPLETE, *_ATTENTION}

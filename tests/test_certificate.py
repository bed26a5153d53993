"""The certificate: what it says, that it is one whole A4 page, and how it is saved and printed."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QStandardPaths
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from conftest import MINI
from socialsafe.content.loader import load_all
from socialsafe.domain.certificate import CertificateData, ModuleLine
from socialsafe.files import host_name
from socialsafe.i18n import format_date
from socialsafe.storage.store import Store
from socialsafe.training import QuizRun, certificate_for, sign_off
from socialsafe.ui.certificate import (
    certificate_html,
    default_file_name,
    print_certificate,
    save_certificate,
    write_pdf,
)

TRICKY_NAME = "Zoë O'Brien-Müller <b>"


def make_data(name: str = TRICKY_NAME, modules: int = 3) -> CertificateData:
    lines = [
        ModuleLine(f"Module number {i + 1}", 9, 10, dt.date(2025, 3, 3) + dt.timedelta(days=i), carried_over=i == 1)
        for i in range(modules)
    ]
    return CertificateData(
        name=name,
        role="support_staff",
        school="St Mary & St John's C of E Primary",
        organisation="The Leaf Trust",
        policy_title="Use of Social Media Policy",
        policy_version="2.1",
        completed_on=dt.date(2025, 3, 12),
        expires_on=dt.date(2026, 3, 12),
        modules=lines,
        code="ABCDE-FGHJK",
    )


class Pdf:
    def __init__(self, path: Path) -> None:
        self.document = QPdfDocument()
        self.document.load(str(path))

    @property
    def text(self) -> str:
        """The words of page 1, with line breaks and runs of spaces made single spaces."""
        return " ".join(self.document.getAllText(0).text().split())

    def meta(self, field: QPdfDocument.MetaDataField) -> Any:
        return self.document.metaData(field)


@pytest.fixture
def read_pdf(qapp: QApplication) -> Iterator[Any]:
    opened: list[Pdf] = []

    def read(path: Path) -> Pdf:
        pdf = Pdf(path)
        opened.append(pdf)
        assert pdf.document.status() is QPdfDocument.Status.Ready
        return pdf

    yield read
    for pdf in opened:
        pdf.document.close()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


# What it says -------------------------------------------------------------------


def test_the_pdf_is_one_a4_page_that_says_who_what_and_when(tmp_path: Path, read_pdf: Any) -> None:
    data = make_data()
    path = tmp_path / "certificate.pdf"

    write_pdf(data, path)

    pdf = read_pdf(path)
    assert pdf.document.pageCount() == 1
    size = pdf.document.pagePointSize(0)
    assert (round(size.width() * 25.4 / 72), round(size.height() * 25.4 / 72)) == (210, 297)
    text = pdf.text
    for expected in (
        TRICKY_NAME,
        "Support staff",
        "St Mary & St John's C of E Primary",
        "The Leaf Trust",
        "Certificate of training",
        "Use of Social Media Policy",
        "version 2.1",
        format_date(data.completed_on),
        format_date(data.expires_on),
        "ABCDE-FGHJK",
        "the school office can check it against the training records",
        "9 / 10",
        "Module number 3",
        format_date(dt.date(2025, 3, 5)),
        "carried over from an earlier version",
    ):
        assert expected in text, f"{expected!r} missing from: {text}"
    assert text.count("carried over from an earlier version") == 1
    assert "Certificate of training" in pdf.meta(QPdfDocument.MetaDataField.Title)
    assert TRICKY_NAME in pdf.meta(QPdfDocument.MetaDataField.Title)
    assert pdf.meta(QPdfDocument.MetaDataField.Creator) == "SocialSafe"


def test_html_escapes_everything_it_is_given() -> None:
    data = make_data(name='<b>Eve</b> & "Co" <script>x</script>')

    page = certificate_html(data)

    assert "<script>" not in page
    assert "<b>Eve</b>" not in page
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot; &lt;script&gt;" in page
    assert "St Mary &amp; St John&#x27;s C of E Primary" in page


def test_a_very_long_certificate_still_fits_on_one_page(tmp_path: Path, read_pdf: Any) -> None:
    data = make_data(name="Dr Alexandra Catherine Montgomery-Fitzwilliam " * 3, modules=40)
    path = tmp_path / "long.pdf"

    write_pdf(data, path)

    pdf = read_pdf(path)
    assert pdf.document.pageCount() == 1
    assert "Module number 40" in pdf.text
    assert "ABCDE-FGHJK" in pdf.text


def _pass_every_module(store: Store, learner: Any, pack: Any) -> None:
    for module in pack.modules_for(learner.role):
        run = QuizRun.begin(store, learner, pack, module, random.Random(7))
        while (asked := run.current()) is not None:
            run.answer([o.id for o in asked.options if o.correct])
        assert run.finish().passed


def test_the_certificate_of_a_real_learner_from_the_store(store: Store, tmp_path: Path, read_pdf: Any) -> None:
    content = load_all([MINI])
    pack = content.packs[0]
    learner = store.add_learner("Siân D'Souza", "teacher", "Oak Hill Primary")
    _pass_every_module(store, learner, pack)
    sign_off(store, content, learner, pack, "Siân D'Souza")

    data = certificate_for(store, content, learner, pack)
    assert data is not None
    path = tmp_path / "real.pdf"
    write_pdf(data, path)

    text = read_pdf(path).text
    for expected in (
        "Siân D'Souza",
        "Teacher",
        "Oak Hill Primary",
        pack.policy.title,
        f"version {pack.policy.version}",
        format_date(data.completed_on),
        format_date(data.expires_on),
        data.code,
        *(m.title for m in pack.modules_for("teacher")),
    ):
        assert expected in text, f"{expected!r} missing from: {text}"
    assert len(data.modules) == len(pack.modules_for("teacher"))


# Written whole or not at all ----------------------------------------------------


def test_a_missing_folder_raises_oserror_and_leaves_nothing(tmp_path: Path, qapp: QApplication) -> None:
    target = tmp_path / "no such folder" / "certificate.pdf"

    with pytest.raises(OSError, match="could not be saved"):
        write_pdf(make_data(), target)

    assert not target.parent.exists()
    assert leftovers(tmp_path) == []


def test_a_file_where_the_folder_should_be_raises_oserror(tmp_path: Path, qapp: QApplication) -> None:
    (tmp_path / "a file").write_text("not a folder")

    with pytest.raises(OSError, match="could not be saved"):
        write_pdf(make_data(), tmp_path / "a file" / "certificate.pdf")

    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions that bind")
def test_a_read_only_folder_raises_oserror_and_leaves_no_temp_file(tmp_path: Path, qapp: QApplication) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OSError, match="could not be saved"):
            write_pdf(make_data(), folder / "certificate.pdf")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_failure_at_the_last_step_keeps_the_old_file_and_no_temp(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "certificate.pdf"
    target.write_bytes(b"the earlier certificate")

    def refuse(*args: Any) -> None:
        raise PermissionError(13, "The file is open in another program")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="open in another program"):
        write_pdf(make_data(), target)

    assert target.read_bytes() == b"the earlier certificate"
    assert leftovers(tmp_path) == []


def test_writing_over_an_earlier_certificate_replaces_it(tmp_path: Path, read_pdf: Any) -> None:
    target = tmp_path / "certificate.pdf"
    target.write_bytes(b"the earlier certificate")

    write_pdf(make_data(), target)

    assert target.read_bytes().startswith(b"%PDF-")
    assert TRICKY_NAME in read_pdf(target).text
    assert leftovers(tmp_path) == []


def test_a_certificate_save_killed_half_way_leaves_nothing_after_the_next_save(tmp_path: Path, qtbot: QtBot) -> None:
    """A killed save leaves a hidden copy with a person's name in it: the next save removes it (issue #14)."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    crashed = tmp_path / f".tmp-export-{host_name()}-{int(gone.stdout)}-0123456789abcdef"
    crashed.write_bytes(b"%PDF- half a certificate")

    write_pdf(make_data(), tmp_path / "certificate.pdf")

    assert not crashed.exists()
    assert leftovers(tmp_path) == []


# Saving and printing ------------------------------------------------------------


def test_save_suggests_a_named_pdf_in_documents_and_writes_where_chosen(
    tmp_path: Path, parent: QWidget, read_pdf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []
    chosen = tmp_path / "chosen"  # no .pdf typed: it is added

    def dialog(*args: Any) -> tuple[str, str]:
        asked.append(args)
        return str(chosen), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)

    written = save_certificate(make_data(), parent)

    assert written == tmp_path / "chosen.pdf"
    assert TRICKY_NAME in read_pdf(written).text
    (_parent, _caption, suggested, file_filter) = asked[0]
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(suggested).parent == Path(documents)
    assert Path(suggested).name == "SocialSafe certificate - Zoë O'Brien-Müller b - 2025-03-12.pdf"
    assert file_filter == "PDF (*.pdf)"


def test_save_returns_none_when_cancelled(tmp_path: Path, parent: QWidget, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: pytest.fail("no message on cancel"))

    assert save_certificate(make_data(), parent) is None
    assert leftovers(tmp_path) == []


def test_save_into_a_missing_folder_shows_one_clear_message(
    tmp_path: Path, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "gone" / "certificate.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), "PDF (*.pdf)"))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))

    assert save_certificate(make_data(), parent) is None

    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Certificate not saved"
    assert "could not be saved" in text
    assert str(target) in text
    assert "Traceback" not in text


def test_the_default_file_name_is_safe_on_every_system() -> None:
    name = default_file_name(make_data(name='A/B\\C: D*E?"F" <G>|'))

    assert name == "SocialSafe certificate - A B C D E F G - 2025-03-12.pdf"
    assert not re.search(r'[<>:"/\\|?*]', name)


def test_print_returns_false_when_the_dialog_is_cancelled(parent: QWidget, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected.value)

    assert print_certificate(make_data(), parent) is False


def test_print_prints_the_same_certificate(
    tmp_path: Path, parent: QWidget, read_pdf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = tmp_path / "printed.pdf"

    def accept(self: QPrintDialog) -> int:
        printer = self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)

    assert print_certificate(make_data(), parent) is True

    pdf = read_pdf(printed)
    assert pdf.document.pageCount() == 1
    assert TRICKY_NAME in pdf.text
    assert "ABCDE-FGHJK" in pdf.text

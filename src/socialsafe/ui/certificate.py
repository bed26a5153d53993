"""The certificate a learner takes away: one A4 page, as a PDF or on paper.

The page is built as Qt rich text (:class:`QTextDocument`), laid out for the
device it is drawn on (a 300 dpi PDF or the chosen printer), framed with a
double rule and scaled down if ever it would not fit on one page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QStandardPaths, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QImageReader,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QMessageBox, QWidget

from socialsafe.domain.certificate import CertificateData
from socialsafe.files import write_export
from socialsafe.i18n import _, format_date
from socialsafe.labels import role_label
from socialsafe.log import log
from socialsafe.resources import asset
from socialsafe.ui.pdf import CREATOR, a4_pdf
from socialsafe.ui.safe_text import InertDocument, as_text
from socialsafe.ui.style import PAPER
from socialsafe.ui.widgets import announce

PDF_DPI = 300
MARGIN_MM = 12.0  # page edge to the outer rule
INSET_MM = 14.0  # outer rule to the text
ICON_CSS_PX = 64  # the icon's size on the page, in CSS pixels (1/96 inch)

# Printed: dark ink on white paper whatever the app's theme (the colours live in style.PAPER).
GREEN = PAPER["accent"]
DARK_GREEN = PAPER["heading"]
INK = PAPER["ink"]
MUTED = PAPER["muted"]
RULE = PAPER["rule"]
TINT = PAPER["tint"]
SERIF = "Georgia, 'Palatino Linotype', 'Book Antiqua', 'DejaVu Serif', serif"
SANS = "'Segoe UI', Calibri, Arial, 'DejaVu Sans', sans-serif"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _icon_url() -> str | None:
    """The app icon as a file URL, or None when it is missing or Qt cannot read SVG here."""
    try:
        path = asset("icon.svg")
    except FileNotFoundError:
        return None
    if not path.is_file() or not QImageReader(str(path)).canRead():
        return None
    return QUrl.fromLocalFile(str(path)).toString()


def certificate_html(data: CertificateData) -> str:
    """The certificate as Qt rich text, every piece of data escaped."""
    icon = _icon_url()
    icon_html = (
        f'<p align="center" style="margin: 0 0 10px 0;">'
        f'<img src="{_e(icon)}" width="{ICON_CSS_PX}" height="{ICON_CSS_PX}" /></p>'
        if icon
        else ""
    )
    name_style = f"font-family: {SERIF}; font-size: 19pt; font-weight: bold; color: {DARK_GREEN};"
    name = f'<span style="{name_style}">{_e(data.name)}</span>'
    policy = f"<b>{_e(data.policy_title)}</b>"
    certify = _e(
        _(
            "This is to certify that {name}, {role}, {school}, "
            "has completed training on the {policy}, version {version}."
        )
    ).format(
        name=name,
        role=_e(role_label(data.role)),
        school=_e(data.school),
        policy=policy,
        version=_e(data.policy_version),
    )
    small_caps = f"font-size: 9pt; color: {MUTED}; letter-spacing: 1px;"
    dates = (
        f'<table align="center" width="78%" cellspacing="0" cellpadding="4" style="margin-top: 16px;"><tr>'
        f'<td width="50%" align="center"><span style="{small_caps}">{_e(_("Completed on"))}</span><br />'
        f'<span style="font-size: 13pt; font-weight: bold;">{_e(format_date(data.completed_on))}</span></td>'
        f'<td width="50%" align="center"><span style="{small_caps}">{_e(_("Valid until"))}</span><br />'
        f'<span style="font-size: 13pt; font-weight: bold;">{_e(format_date(data.expires_on))}</span></td>'
        f"</tr></table>"
    )
    head_cell = (
        f"background-color: {TINT}; color: {DARK_GREEN}; font-size: 9.5pt; font-weight: bold; "
        f"border-bottom: 1px solid {GREEN};"
    )
    body_cell = f"border-bottom: 1px solid {RULE};"
    rows = []
    for line in data.modules:
        passed = _e(format_date(line.passed_on))
        if line.carried_over:
            passed += (
                f'<br /><span style="font-size: 8.5pt; color: {MUTED};">'
                f"{_e(_('carried over from an earlier version'))}</span>"
            )
        score = _e(_("{score} / {max_score}").format(score=line.score, max_score=line.max_score))
        rows.append(
            f'<tr><td style="{body_cell}">{_e(line.title)}</td>'
            f'<td align="center" style="{body_cell}">{score}</td>'
            f'<td style="{body_cell}">{passed}</td></tr>'
        )
    modules = (
        f'<table width="100%" cellspacing="0" cellpadding="6" '
        f'style="border-collapse: collapse; margin-top: 26px; font-size: 10.5pt;">'
        f'<tr><td width="50%" style="{head_cell}">{_e(_("Module"))}</td>'
        f'<td width="14%" align="center" style="{head_cell}">{_e(_("Score"))}</td>'
        f'<td width="36%" style="{head_cell}">{_e(_("Passed on"))}</td></tr>'
        f"{''.join(rows)}</table>"
    )
    code_style = (
        f"font-family: Consolas, 'DejaVu Sans Mono', monospace; font-size: 12pt; font-weight: bold; color: {INK};"
    )
    code = f'<span style="{code_style}">{_e(data.code)}</span>'
    verify = _e(_("Verification code: {code} — the school office can check it against the training records.")).format(
        code=code
    )
    if not data.code:  # this PC does not hold the person's records yet: nothing it could find the certificate by
        verify = _e(_("This certificate has no verification code: make it again after the next sync to add one."))
    return (
        f'<html><body style="font-family: {SANS}; font-size: 11pt; color: {INK};">'
        f"{icon_html}"
        f'<p align="center" style="margin: 0; font-size: 12pt; letter-spacing: 2px; color: {GREEN};">'
        f"{_e(data.organisation)}</p>"
        f'<h1 align="center" style="margin: 6px 0 0 0; font-family: {SERIF}; font-size: 32pt; '
        f'font-weight: normal; color: {DARK_GREEN};">{_e(_("Certificate of training"))}</h1>'
        f'<table align="center" width="22%" cellspacing="0" cellpadding="0" style="margin: 14px 0 18px 0;">'
        f'<tr><td style="border-top: 2px solid {GREEN};"></td></tr></table>'
        f'<p align="center" style="margin: 0 24px; font-size: 13pt; line-height: 150%;">{certify}</p>'
        f"{dates}{modules}"
        f'<table width="100%" cellspacing="0" cellpadding="8" '
        f'style="margin-top: 22px; border-collapse: collapse;"><tr>'
        f'<td align="center" style="border: 1px solid {RULE}; font-size: 9.5pt; color: {MUTED};">{verify}</td>'
        f"</tr></table>"
        f"</body></html>"
    )


def _document(data: CertificateData, device: QPagedPaintDevice) -> QTextDocument:
    """The certificate laid out in ``device``'s own pixels, so fonts and rules come out at their true size."""
    document = InertDocument()  # it holds its one image, the icon: nothing named in the data is ever fetched
    document.documentLayout().setPaintDevice(device)
    document.setDocumentMargin(0)
    url = _icon_url()
    if url:
        # Qt would draw the SVG at its own 64 px and blow it up; give it a sharp copy at the device's size.
        reader = QImageReader(QUrl(url).toLocalFile())
        side = round(ICON_CSS_PX * device.logicalDpiY() / 96)
        reader.setScaledSize(QSize(side, side))
        image = reader.read()
        if not image.isNull():
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
    document.setHtml(certificate_html(data))
    return document


def _paint(device: QPagedPaintDevice, data: CertificateData) -> None:
    """Draw the certificate on one page of ``device``."""
    document = _document(data, device)
    page = QRectF(0, 0, device.width(), device.height())
    per_mm = device.logicalDpiX() / 25.4
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(_("The certificate could not be drawn: the printer or file is not ready."))
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A double rule round the page: a firm outer line and a fine inner one.
        outer = QPen(QColor(GREEN), 0.7 * per_mm)
        outer.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(outer)
        half = outer.widthF() / 2
        painter.drawRect(page.adjusted(half, half, -half, -half))
        inner = QPen(QColor(GREEN), 0.25 * per_mm)
        inner.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(inner)
        gap = 2.2 * per_mm
        painter.drawRect(page.adjusted(gap, gap, -gap, -gap))

        inset = INSET_MM * per_mm
        text = page.adjusted(inset, inset, -inset, -inset)
        document.setTextWidth(text.width())
        height = document.size().height()
        scale = 1.0
        if height > text.height():
            # Too long for the page (a very long name, many modules): shrink it all to fit one
            # page, as little as will do. Laid out wider, it is shorter, so search for the scale.
            fits, too_big = text.height() / height, 1.0
            for _step in range(10):
                middle = (fits + too_big) / 2
                document.setTextWidth(text.width() / middle)
                if document.size().height() * middle <= text.height():
                    fits = middle
                else:
                    too_big = middle
            scale = fits
            document.setTextWidth(text.width() / scale)
            height = document.size().height()
        # A little above the middle, as a printed certificate sits.
        top = text.top() + max(0.0, (text.height() - height * scale) * 0.42)
        painter.translate(text.left(), top)
        painter.scale(scale, scale)
        document.drawContents(painter)
    finally:
        painter.end()


def _pdf_bytes(data: CertificateData) -> bytes:
    title = _("Certificate of training: {name}").format(name=data.name)
    return a4_pdf(title, lambda writer: _paint(writer, data), PDF_DPI, MARGIN_MM, author=data.organisation)


def write_pdf(data: CertificateData, path: Path) -> None:
    """Write the certificate to ``path`` whole or not at all; OSError says why it could not."""
    path = Path(path)
    pdf = _pdf_bytes(data)
    try:
        write_export(path, pdf)  # a killed save's hidden copy is removed by the next one
    except OSError as error:
        log.warning("certificate not written to %s: %s", path, error)
        raise OSError(
            _(
                "The certificate could not be saved as {path}: {reason}. "
                "Choose another folder, or close the file if another program has it open."
            ).format(path=path, reason=error.strerror or error)
        ) from error


_UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def default_file_name(data: CertificateData) -> str:
    """A file name that says whose certificate it is and when, safe on Windows, macOS and Linux."""
    name = _UNSAFE_IN_FILE_NAMES.sub(" ", data.name)
    name = " ".join(name.split()).strip(" .") or _("certificate")
    return _("SocialSafe certificate - {name} - {date}.pdf").format(name=name, date=data.completed_on.isoformat())


def save_certificate(data: CertificateData, parent: QWidget) -> Path | None:
    """Ask where to save the certificate and write it there; the path written, or None."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    suggested = Path(folder) / default_file_name(data)
    chosen = QFileDialog.getSaveFileName(parent, _("Save certificate"), str(suggested), _("PDF (*.pdf)"))[0]
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        write_pdf(data, path)
    except OSError as error:
        QMessageBox.warning(parent, _("Certificate not saved"), as_text(str(error)))
        return None
    tell_saved(path, parent)
    return path


def tell_saved(path: Path, parent: QWidget) -> QMessageBox:
    """Say that the certificate is saved, and where: shown, and said to a screen reader (WCAG 4.1.3).

    A message over the window, with OK to close it, that does not wait: the path is the person's choice
    and may be long, so it is shown whole, as plain text, and can be selected.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(_("Certificate saved"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    text = _("Your certificate is saved as {file}, in the folder {folder}.").format(file=path.name, folder=path.parent)
    box.setText(text)
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    ok = box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)  # Qt's own "OK" stays English in Welsh
    ok.setAccessibleName(_("OK"))
    box.setDefaultButton(ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    shown = box.findChild(QLabel, "qt_msgbox_label")
    announce(shown if isinstance(shown, QLabel) else box, text)
    return box


def print_certificate(data: CertificateData, parent: QWidget) -> bool:
    """Print the certificate after the person chooses a printer; whether it was printed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    printer.setDocName(_("Certificate of training: {name}").format(name=data.name))
    printer.setCreator(CREATOR)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Print certificate"))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        _paint(printer, data)
    except OSError as error:
        log.warning("certificate not printed: %s", error)
        QMessageBox.warning(parent, _("Certificate not printed"), as_text(str(error)))
        return False
    return True

"""One-page A4 PDFs made with Qt itself (certificates, the governors' summary)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter

CREATOR = "SocialSafe"


def a4_pdf(title: str, draw: Callable[[QPdfWriter], None], dpi: int, margin_mm: float, author: str = "") -> bytes:
    """The PDF bytes of one A4 portrait page that ``draw`` paints on the writer."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("a PDF needs a QGuiApplication for its fonts")
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(dpi)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(title)
    writer.setCreator(CREATOR)
    if author:
        writer.setAuthor(author)
    draw(writer)
    del writer  # finishes the file in the buffer
    buffer.close()
    return bytes(buffer.data().data())

"""The printable transcript (app/services/transcript_documents.py `to_html`) as a PDF.

Qt's rich-text engine lays the page out and QPdfWriter writes it (A4, 15 mm margins);
QTextDocument and QPdfWriter are reentrant, so this runs in a worker thread like the
other exports."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument


def html_to_pdf(html: str, title: str) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
    del writer  # finishes the file
    buffer.close()
    return bytes(data.data())


__all__ = ["html_to_pdf"]

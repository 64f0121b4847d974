"""A small window for slow work that writes files (a long export, a copy of an hour of
audio): shown at once with words, how far it got, and Cancel; Escape cancels too."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget


def progress_window(parent: QWidget, object_name: str, title: str, text: str,
                    stop: threading.Event) -> QProgressDialog:
    """Opened (never exec'd: no nested event loop under qasync), busy until the first
    report; Cancel, Escape or closing it sets `stop`, which the worker thread checks
    between pieces. The caller closes it when the work has ended."""
    window = QProgressDialog(text, "Cancel", 0, 0, parent)
    window.setObjectName(object_name)
    window.setWindowTitle(title)
    window.setWindowModality(Qt.WindowModality.WindowModal)
    window.setAutoClose(False)
    window.setAutoReset(False)
    window.setMinimumDuration(0)
    window.canceled.connect(stop.set)  # the Cancel button, closing the window
    window.rejected.connect(stop.set)  # Escape
    window.open()
    return window


__all__ = ["progress_window"]

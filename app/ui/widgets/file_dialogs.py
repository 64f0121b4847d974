"""File choosers that never block: opened with open(), answered through a callback.

A static QFileDialog.getSaveFileName() spins a nested event loop, which under qasync can
run other tasks' callbacks re-entrantly; a window-modal dialog answering by signal does
not. Each dialog has an objectName so tests (and accessibility tools) can find it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QWidget


def _dialog(parent: QWidget, object_name: str, title: str, start: str, name_filter: str,
            mode: QFileDialog.AcceptMode) -> QFileDialog:
    dialog = QFileDialog(parent, title, start, name_filter)
    dialog.setObjectName(object_name)
    dialog.setAcceptMode(mode)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, _no_native())
    return dialog


def _no_native() -> bool:
    from PySide6.QtGui import QGuiApplication

    # Native dialogs are not QWidgets and cannot be driven offscreen (tests, --screenshot).
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def ask_save_path(parent: QWidget, object_name: str, title: str, suggested: str,
                  on_chosen: Callable[[str], object], name_filter: str = "") -> QFileDialog:
    dialog = _dialog(parent, object_name, title, suggested, name_filter,
                     QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile(suggested)
    dialog.fileSelected.connect(on_chosen)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def ask_open_path(parent: QWidget, object_name: str, title: str, start: str,
                  on_chosen: Callable[[str], object], name_filter: str = "") -> QFileDialog:
    dialog = _dialog(parent, object_name, title, start, name_filter,
                     QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.fileSelected.connect(on_chosen)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def ask_open_paths(parent: QWidget, object_name: str, title: str, name_filters: list[str],
                   on_chosen: Callable[[list[str]], object]) -> QFileDialog:
    """Several existing files at once (File → Open…)."""
    dialog = _dialog(parent, object_name, title, "", "", QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setNameFilters(name_filters)
    dialog.filesSelected.connect(on_chosen)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog

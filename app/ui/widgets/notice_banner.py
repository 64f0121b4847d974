"""The banner at the top of the window for what the library did on its own: a damaged
history kept aside, a read-only data folder, a draft that could not be read. Each notice
names the file involved; several are shown together, newest last."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.library.notices import LibraryNotice, NoticeBoard
from app.ui.widgets.error_banner import ErrorBanner


def _escape(text: str) -> str:
    """html.escape without loading the html package (and its entity table) at start-up."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class NoticeBanner(ErrorBanner):
    # Notices may be posted from worker threads; the signal brings them to the UI thread.
    _posted = Signal(object)

    def __init__(self, board: NoticeBoard, parent: QWidget | None = None) -> None:
        super().__init__("main.notices", parent)
        self.setAccessibleName("Notices about your data")
        self._notices: list[LibraryNotice] = []
        self._posted.connect(self._add)
        for notice in board.all():
            self._add(notice)
        board.subscribe(self._posted.emit)

    def notices(self) -> list[LibraryNotice]:
        return list(self._notices)

    def _add(self, notice: object) -> None:
        if not isinstance(notice, LibraryNotice):
            return
        self._notices.append(notice)
        parts = [f"<b>{_escape(n.title)}.</b> {_escape(n.text)}<br>"
                 f"{_escape(n.next_step)}" for n in self._notices]
        self._text.setText("<br><br>".join(parts))
        self._text.setAccessibleName(" ".join(f"{n.title}. {n.text} {n.next_step}"
                                              for n in self._notices))
        self._retry.hide()
        self.show()

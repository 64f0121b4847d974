"""Icons the UI uses, by role name.

For now these come from the platform style so they follow the system theme; the
packaging issue replaces them with the app's own symbolic SVGs under the same names.
"""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

_STANDARD = {
    "play": QStyle.StandardPixmap.SP_MediaPlay,
    "pause": QStyle.StandardPixmap.SP_MediaPause,
    "stop": QStyle.StandardPixmap.SP_MediaStop,
    "save": QStyle.StandardPixmap.SP_DialogSaveButton,
    "delete": QStyle.StandardPixmap.SP_TrashIcon,
    "open": QStyle.StandardPixmap.SP_DialogOpenButton,
    "reset": QStyle.StandardPixmap.SP_BrowserReload,
    "cancel": QStyle.StandardPixmap.SP_DialogCancelButton,
    "export": QStyle.StandardPixmap.SP_DialogSaveButton,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "generate": QStyle.StandardPixmap.SP_MediaPlay,
}


def icon(name: str) -> QIcon:
    style = QApplication.style()
    pixmap = _STANDARD.get(name)
    if style is None or pixmap is None:
        return QIcon()
    return style.standardIcon(pixmap)

"""Help → About: the version, where the user's data lives, and the licences of the
components XI Studio ships with (a bundle must name them)."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_ID, APP_NAME, __version__
from app.library.models.catalogue import CATALOGUE
from app.library.paths import AppPaths
from app.ui.keyboard import tab_moves_on

# (distribution, what it does here, licence). Licences are written out rather than read
# from package metadata, which is missing or free-form for several of these.
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials", "Qt, the window toolkit", "LGPL-3.0-only"),
    ("httpx", "talking to ElevenLabs", "BSD-3-Clause"),
    ("qasync", "Qt and asyncio together", "BSD-2-Clause"),
    ("soundfile", "reading and writing audio (libsndfile)", "BSD-3-Clause; libsndfile LGPL-2.1"),
    ("sounddevice", "playing sound (PortAudio)", "MIT; PortAudio MIT"),
    ("numpy", "audio samples", "BSD-3-Clause"),
    ("av", "decoding audio and video (FFmpeg)", "BSD-3-Clause; FFmpeg LGPL-2.1+"),
    ("soxr", "resampling", "LGPL-2.1+"),
    ("pydantic", "checking what the API sends", "MIT"),
    ("keyring", "keeping the API key in the system keychain", "MIT"),
    ("platformdirs", "finding your data folders", "MIT"),
    ("superqt", "widgets", "BSD-3-Clause"),
    ("espeakng-loader", "offline speech (eSpeak NG)", "MIT; eSpeak NG GPL-3.0+"),
    ("pocketsphinx", "offline recognition", "BSD-2-Clause"),
    ("piper-tts", "neural offline voices (installed separately)", "GPL-3.0"),
    ("onnxruntime", "running Piper voices", "MIT"),
    ("faster-whisper", "offline transcripts with Whisper", "MIT"),
    ("ctranslate2", "running Whisper models", "MIT"),
    ("fastapi", "the offline engine's server", "MIT"),
    ("uvicorn", "the offline engine's server", "BSD-3-Clause"),
)


def _version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


class AboutDialog(QDialog):
    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about.dialog")
        self.setWindowTitle(f"About {APP_NAME}")
        self.resize(640, 680)
        title = QLabel(f"<h2>{APP_NAME} {__version__}</h2>"
                       "<p>A desktop studio for ElevenLabs voices: speech, transcripts and "
                       "music, online with your key or offline on this computer.</p>"
                       f"<p>App id: {APP_ID}. Licence: MIT.</p>", self)
        title.setWordWrap(True)
        data = QLabel(f"Your data (history, audio, drafts, settings, logs) is kept in:<br>"
                      f"<b>{paths.data_dir}</b><br>settings in {paths.config_dir}, "
                      f"logs in {paths.log_dir}", self)
        data.setObjectName("about.data_dir")
        data.setWordWrap(True)
        data.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = QPushButton("Open data folder", self)
        open_folder.setObjectName("about.open_data")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.data_dir))))

        table = QTableWidget(len(COMPONENTS), 4, self)
        table.setObjectName("about.licences")
        table.setHorizontalHeaderLabels(["Component", "Version", "Used for", "Licence"])
        for row, (name, purpose, licence) in enumerate(COMPONENTS):
            for column, text in enumerate((name, _version_of(name), purpose, licence)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

        # The offline models are not bundled (the user downloads them), but each has its
        # own licence, which the user should see before using what a model makes.
        models = QTableWidget(len(CATALOGUE), 3, self)
        models.setObjectName("about.model_licences")
        models.setAccessibleName("Offline model licences")
        models.setHorizontalHeaderLabels(["Offline model", "Name", "Licence"])
        for row, entry in enumerate(CATALOGUE):
            for column, text in enumerate((entry.title, entry.name, entry.licence)):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.licence_text)
                models.setItem(row, column, item)
        models.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        models.verticalHeader().setVisible(False)
        models.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        models.horizontalHeader().setStretchLastSection(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        # Enter closes About. Without a default of its own, Qt made the first button the
        # default, and the focus started on it: Enter opened a file manager window.
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(data)
        layout.addWidget(open_folder)
        layout.addWidget(QLabel("Bundled components and their licences:", self))
        layout.addWidget(table, 1)
        layout.addWidget(QLabel("Offline voices and recognisers you can install (Settings → "
                                "Offline voices and transcripts), each under its own "
                                "licence:", self))
        layout.addWidget(models, 1)
        layout.addWidget(buttons)
        # Tab leaves the licence tables (it walked their cells and never let go: nothing
        # after the first table could be reached), and the focus starts in the first,
        # the list there is to read, not on a button.
        tab_moves_on(self)
        table.setFocus(Qt.FocusReason.OtherFocusReason)

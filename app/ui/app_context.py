"""Everything the windows need, built once by the composition root (app/main.py).

Passing this in (rather than importing singletons) lets tests hand in other parts:
a temporary data folder, a client pointed at a test server, a player on a test device.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from app.api.account import AccountService
from app.api.client import ApiClient
from app.api.speech import SpeechService
from app.api.voices import VoicesService
from app.audio.player import Player
from app.library.drafts import DraftStore
from app.library.history import HistoryStore
from app.library.ledger import Ledger
from app.library.notices import NoticeBoard
from app.library.paths import AppPaths
from app.library.secrets import KeyStore
from app.library.settings import Settings, SettingsStore
from app.services.cost_recording import CostRecorder

if TYPE_CHECKING:
    from app.api.music import MusicService
    from app.api.transcripts import TranscriptsService

# Where requests go (`AppContext.backend_mode`): XI Studio's own local engine, or a server
# with an API key.
OFFLINE = "offline"
CLOUD = "cloud"


@dataclass
class AppContext:
    paths: AppPaths
    settings_store: SettingsStore
    settings: Settings
    key_store: KeyStore
    history: HistoryStore
    drafts: DraftStore
    client: ApiClient
    player: Player
    # An engine already running (tests, or a user's own); None starts the built-in one.
    engine_url: str | None = None
    session_id: str = field(default_factory=lambda: os.urandom(16).hex())
    # What the library did on its own that the user must hear (shown in a banner).
    notices: NoticeBoard = field(default_factory=NoticeBoard)
    # OFFLINE or CLOUD once the backend (app/ui/backend.py) has connected, None before.
    # The one answer to "is this the local engine?": it follows from whether a key is
    # used, never from the server's address (a server playing the cloud may listen on
    # this computer too).
    backend_mode: str | None = None

    def __post_init__(self) -> None:
        self.voices = VoicesService(self.client)
        self.speech = SpeechService(self.client)
        self.account = AccountService(self.client)
        # The usage ledger opens on first use; the backend says engine or cloud.
        self.costs = CostRecorder(Ledger(self.paths.ledger_db, self.notices),
                                  session_id=self.session_id)

    @property
    def is_offline(self) -> bool:
        """Whether requests go to XI Studio's own local engine."""
        return self.backend_mode == OFFLINE

    # The Transcripts and Music tabs' services (and their request modules) are made when
    # a tab first asks: they are not needed before the window shows (start-up time).
    @cached_property
    def transcripts(self) -> TranscriptsService:
        from app.api.transcripts import TranscriptsService

        return TranscriptsService(self.client)

    @cached_property
    def music(self) -> MusicService:
        from app.api.music import MusicService

        return MusicService(self.client)

    def save_settings(self) -> None:
        self.settings_store.save(self.settings)

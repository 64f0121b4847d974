"""A waveform strip: peak loudness drawn to scale, the playhead, click to seek."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:  # numpy loads with the first peaks, not with the window (start-up time)
    import numpy as np


class WaveformWidget(QWidget):
    """Draws peaks (one magnitude 0..1 per bucket, mirrored about the middle line);
    emits the fraction the user clicked."""

    seek_requested = Signal(float)  # 0..1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("player.waveform")
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Waveform; click to jump to a position")
        self._peaks: Any = ()  # float32 array once set_peaks was called
        self._progress = 0.0
        self._loaded = 1.0
        # The waveform drawn once per peaks and size, in both colours; a paint then only
        # copies pixels (it is repainted for every move of the playhead).
        self._picture: tuple[tuple[object, ...], QPixmap, QPixmap] | None = None

    def set_peaks(self, peaks: np.ndarray | Sequence[float],
                  loaded_fraction: float = 1.0) -> None:
        self._loaded = min(1.0, max(0.0, loaded_fraction))
        self._picture = None
        if len(peaks) == 0:
            # No numpy for nothing: at the start of a generation it may still be loading
            # in a worker thread, and importing it here would wait for that on the GUI
            # thread.
            self._peaks = ()
        else:
            import numpy as np

            values = np.abs(np.asarray(peaks, dtype=np.float32))
            # Older callers pass (buckets, 2) min/max pairs: keep the larger magnitude.
            self._peaks = values.max(axis=1) if values.ndim == 2 else values.reshape(-1)
        self.update()

    def peaks(self) -> np.ndarray:
        import numpy as np

        return np.asarray(self._peaks, dtype=np.float32)

    def clear(self) -> None:
        self.set_peaks(())  # empty: no numpy needed yet
        self.set_progress(0.0)

    def set_progress(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if abs(fraction - self._progress) * max(1, self.width()) >= 0.5:
            self._progress = fraction
            self.update()

    @property
    def progress(self) -> float:
        return self._progress

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and len(self._peaks) and self.width() > 0:
            self.seek_requested.emit(min(1.0, max(0.0, event.position().x() / self.width())))
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        rect = QRectF(self.rect())
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        mid = rect.height() / 2
        if len(self._peaks) == 0:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawLine(QPointF(0, mid), QPointF(rect.width(), mid))
            painter.end()
            return
        played, unplayed = self._pictures()
        width = int(rect.width())
        playhead_x = self._progress * width
        split = min(width, int(playhead_x) + 1)
        ratio = played.devicePixelRatio()
        painter.drawPixmap(QPointF(0, 0), unplayed)
        if split > 0:
            painter.drawPixmap(QRectF(0, 0, split, rect.height()), played,
                               QRectF(0, 0, split * ratio, rect.height() * ratio))
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        painter.drawLine(QPointF(playhead_x, 0), QPointF(playhead_x, rect.height()))
        painter.end()

    def _pictures(self) -> tuple[QPixmap, QPixmap]:
        """The waveform in the played and the unplayed colour (made when needed)."""
        palette = self.palette()
        played = palette.color(QPalette.ColorRole.Highlight)
        unplayed = QColor(palette.color(QPalette.ColorRole.Text))
        unplayed.setAlphaF(0.45)
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, played.rgba(), unplayed.rgba())
        if self._picture is not None and self._picture[0] == key:
            return self._picture[1], self._picture[2]
        import numpy as np

        width, height = self.width(), self.height()
        mid = height / 2
        drawn_width = max(1, int(width * self._loaded))
        # One vertical line per pixel column, the loudest bucket under it (vectorised:
        # a long file has far more buckets than pixels).
        buckets = len(self._peaks)
        edges = np.minimum(np.linspace(0, buckets, drawn_width + 1).astype(int), buckets - 1)
        columns = np.maximum.reduceat(self._peaks, edges[:-1])
        heights = (np.clip(columns, 0.0, 1.0) * mid * 0.95).tolist()
        lines = [QLineF(x, mid - h, x, mid + h) for x, h in enumerate(heights)]
        pictures = []
        for color in (played, unplayed):
            pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setPen(color)
            painter.drawLines(lines)
            painter.end()
            pictures.append(pixmap)
        self._picture = (key, pictures[0], pictures[1])
        return pictures[0], pictures[1]

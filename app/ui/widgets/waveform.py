"""A waveform strip: min/max peaks drawn to scale, the playhead, click to seek."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class WaveformWidget(QWidget):
    """Draws peaks (buckets x 2: min, max in -1..1); emits the fraction the user clicked."""

    seek_requested = Signal(float)  # 0..1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("player.waveform")
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Waveform; click to jump to a position")
        self._peaks = np.zeros((0, 2), dtype=np.float32)
        self._progress = 0.0
        self._loaded = 1.0

    def set_peaks(self, peaks: np.ndarray, loaded_fraction: float = 1.0) -> None:
        self._peaks = np.asarray(peaks, dtype=np.float32).reshape(-1, 2)
        self._loaded = min(1.0, max(0.0, loaded_fraction))
        self.update()

    def peaks(self) -> np.ndarray:
        return self._peaks

    def clear(self) -> None:
        self.set_peaks(np.zeros((0, 2), dtype=np.float32))
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
        played = palette.color(QPalette.ColorRole.Highlight)
        unplayed = QColor(palette.color(QPalette.ColorRole.Text))
        unplayed.setAlphaF(0.45)
        width = int(rect.width())
        drawn_width = max(1, int(width * self._loaded))
        # One vertical line per pixel column: pick the bucket range under each column.
        buckets = len(self._peaks)
        edges = np.linspace(0, buckets, drawn_width + 1).astype(int)
        playhead_x = self._progress * width
        for x in range(drawn_width):
            lo, hi = edges[x], max(edges[x] + 1, edges[x + 1])
            segment = self._peaks[lo:hi]
            top = float(segment[:, 1].max())
            bottom = float(segment[:, 0].min())
            painter.setPen(played if x <= playhead_x else unplayed)
            painter.drawLine(QPointF(x, mid - top * mid * 0.95), QPointF(x, mid - bottom * mid * 0.95))
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        painter.drawLine(QPointF(playhead_x, 0), QPointF(playhead_x, rect.height()))
        painter.end()

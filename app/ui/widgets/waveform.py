"""A waveform strip: peak loudness drawn to scale, the playhead, click to seek."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


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
        self._peaks = np.zeros(0, dtype=np.float32)
        self._progress = 0.0
        self._loaded = 1.0

    def set_peaks(self, peaks: np.ndarray, loaded_fraction: float = 1.0) -> None:
        values = np.abs(np.asarray(peaks, dtype=np.float32))
        # Older callers pass (buckets, 2) min/max pairs: keep the larger magnitude.
        self._peaks = values.max(axis=1) if values.ndim == 2 else values.reshape(-1)
        self._loaded = min(1.0, max(0.0, loaded_fraction))
        self.update()

    def peaks(self) -> np.ndarray:
        return self._peaks

    def clear(self) -> None:
        self.set_peaks(np.zeros(0, dtype=np.float32))
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
        # One vertical line per pixel column, the loudest bucket under it (vectorised:
        # a long file has far more buckets than pixels).
        buckets = len(self._peaks)
        edges = np.minimum(np.linspace(0, buckets, drawn_width + 1).astype(int), buckets - 1)
        columns = np.maximum.reduceat(self._peaks, edges[:-1])
        heights = np.clip(columns, 0.0, 1.0) * mid * 0.95
        playhead_x = self._progress * width
        split = min(drawn_width, int(playhead_x) + 1)
        for pen, start, stop in ((played, 0, split), (unplayed, split, drawn_width)):
            painter.setPen(pen)
            painter.drawLines([QLineF(x, mid - h, x, mid + h)
                               for x, h in zip(range(start, stop), heights[start:stop],
                                               strict=True)])
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        painter.drawLine(QPointF(playhead_x, 0), QPointF(playhead_x, rect.height()))
        painter.end()

"""Keyboard behaviour shared by every tab: Tab moves on (it never types a tab character
or gets stuck in a table), and each tab starts with its main field focused."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QWidget,
)

# The field each tab starts in: what a user does first there.
MAIN_FIELDS = {
    "speech": ("speech.text",),
    "transcripts": ("transcripts.choose_file",),
    "music": ("music.prompt", "music.sections"),  # whichever page is showing
}


def tab_moves_on(root: QWidget) -> None:
    """Tab leaves text boxes and tables (a tab typed into the script piled up unseen;
    a table's Tab walked its cells and never let go). Nothing inserts a tab character:
    speech and lyrics have no use for one."""
    for box in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        box.setTabChangesFocus(True)
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)


class _EnterStays(QObject):
    """Takes Enter in a list or table for the view: it activates the current row and
    goes no further."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and isinstance(watched, QAbstractItemView)
                and watched.state() != QAbstractItemView.State.EditingState):
            index = watched.currentIndex()
            if index.isValid():
                watched.activated.emit(index)
            return True
        return False


def enter_stays_in(*views: QAbstractItemView) -> None:
    """Enter in these views is theirs (it activates the row), never the dialog's.
    A view passes Enter on to its dialog, which clicks the default button: in a dialog
    without a safe one of its own that was whichever button came first (New made a
    copy of the chosen dictionary on the server; Rework asked the server again)."""
    for view in views:
        view.installEventFilter(_EnterStays(view))


def focus_main_field(tab: QWidget, name: str) -> None:
    for object_name in MAIN_FIELDS.get(name, ()):
        field = tab.findChild(QWidget, object_name)
        if field is not None and field.isVisible() and field.isEnabled():
            field.setFocus()
            return


def tab_order_after(anchor: QWidget, root: QWidget) -> None:
    """Put `root`'s controls, in their order, right after `anchor` on Tab. A tab built
    after the window joins the end of the window's order: from the tab bar, Tab went
    through History and the player before reaching the tab's first control."""
    controls: list[QWidget] = []
    widget = root.nextInFocusChain()
    while widget is not root and widget is not None:
        if root.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus \
                and not any(c.isAncestorOf(widget) for c in controls):
            controls.append(widget)  # (a spin box's own line edit moves with it)
        widget = widget.nextInFocusChain()
    for control in controls:
        QWidget.setTabOrder(anchor, control)
        anchor = control
        # What moved with it (a compound control's parts) stays right after it. The next
        # control goes after the last part that takes focus: Qt ignores setTabOrder from
        # a widget without focus (a scroll area's viewport), which left the rest of the
        # tab where it was, after History and the player.
        following = anchor.nextInFocusChain()
        while following is not None and control.isAncestorOf(following):
            if following.focusPolicy() & Qt.FocusPolicy.TabFocus:
                anchor = following
            following = following.nextInFocusChain()


def looks_default_only_when_aimed(button: QPushButton) -> None:
    """For a tab's paid main button (Generate, Compose): the default frame only while
    it has the focus, and Enter on it presses it. Made the default for good, it wore the
    frame that says "Enter presses this" in the text box too, where Enter starts a new
    line (outside a dialog no Enter reaches a default button). An "auto default" button
    takes the frame and Enter when the focus comes to it, and gives both up as the focus
    leaves, in any window. Ctrl+Enter still presses it from anywhere in its tab."""
    button.setDefault(False)
    button.setAutoDefault(True)


def _is_enter(event: QEvent) -> bool:
    """A plain Enter or Return (the keypad's counts): what a dialog turns into a click
    on its default button. Ctrl+Enter and the like are left alone."""
    return (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)


def press_focused_button(event: QKeyEvent) -> bool:
    """Enter on a push or tool button of the main window presses it, as Space does (and
    as Enter does on a dialog's buttons). Qt leaves Enter to a window's buttons only in
    dialogs: tabbing to Transcribe, Add or Play and pressing Enter did nothing. For the
    window, from the key event its focused widget passed up; True when it pressed one."""
    if not _is_enter(event):
        return False
    focus = QApplication.focusWidget()
    if isinstance(focus, QPushButton | QToolButton) and focus.isEnabled() \
            and focus.isVisible():
        focus.animateClick()
        return True
    return False


class _EnterOnlyWhenAimed(QObject):
    """On a dialog: Enter clicks a paid button only when that button has the focus."""

    def __init__(self, dialog: QWidget, buttons: tuple[QPushButton, ...]) -> None:
        super().__init__(dialog)
        self._buttons = buttons
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._look_as_enter_does)

    def _look_as_enter_does(self, *_widgets: object) -> None:
        """A paid button wears the default frame only while it has the focus, the one
        place Enter sets it off. Qt's dialog remembers the button a button box made its
        default when shown and gives it the frame back whenever the focus leaves another
        push button (Align looked like what Enter does again after a Tab round, on the
        script choice, where Enter does nothing). Qt sends its focus events before this
        signal, so the look set here is the last word."""
        if not all(shiboken6.isValid(button) for button in self._buttons):
            return  # the dialog is being taken apart: its buttons go before this filter
        focus = QApplication.focusWidget()
        for button in self._buttons:
            aimed = button is focus
            if button.isDefault() != aimed:
                button.setDefault(aimed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and watched is self.parent():
            # A button box makes its first accepting button the default when shown: it
            # would look like what Enter does, which it is not.
            self._look_as_enter_does()
            return False
        if not _is_enter(event):
            return False
        focus = QApplication.focusWidget()
        if focus in self._buttons:
            assert isinstance(focus, QPushButton)
            if focus.isEnabled():
                focus.click()  # aimed at: the button with the focus takes Enter
            return True
        # Enter typed in a field or on a check box, passed on to the dialog: it would click
        # the default, and a paid button can be that (a button box makes its first
        # accepting button the default whatever its settings).
        return any(button.isDefault() for button in self._buttons)


def enter_pays_only_when_aimed(dialog: QWidget, *buttons: QPushButton) -> None:
    """Enter sets off these (paid) buttons only when the focus is on them; Space too, as
    ever. Enter anywhere else in the dialog never reaches them: in Align to a script,
    focus started on Align and Enter aligned at once; in Make a new take, Enter on a
    neighbour's box paid for the take. Other buttons keep their Enter (Cancel, Save rule).
    A paid button looks like the default (the frame that says "Enter does this") only
    while it has the focus."""
    for button in buttons:
        # Not "auto default": such a button becomes the default when the focus passes
        # it, and stays the one Enter clicks after the focus has moved on.
        button.setAutoDefault(False)
        button.setDefault(False)
    dialog.installEventFilter(_EnterOnlyWhenAimed(dialog, buttons))

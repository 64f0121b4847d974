"""Qt-free orchestration: the jobs the window and the command line share (scripts:
rendering takes, the batch queue, delivery; offline model installs). May use app.api,
app.audio, app.library and app.domain; never Qt (an import-linter contract keeps it so)."""

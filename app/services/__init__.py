"""Qt-free orchestration used by the command line and the UI."""

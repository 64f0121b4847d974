"""Qt-free orchestration: services that combine api, audio, library and domain."""

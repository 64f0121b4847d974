"""XI Studio: a desktop studio for the ElevenLabs API."""

__version__ = "0.1.0"
APP_ID = "io.github.xistudio.XIStudio"
APP_NAME = "XI Studio"

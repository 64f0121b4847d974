"""Entry point of the PyInstaller bundle: the same command line as `xi-studio`."""

from app.main import main

if __name__ == "__main__":
    raise SystemExit(main())

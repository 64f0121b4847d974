#!/bin/sh
# Removes XI Studio installed by the self-extracting download. Your history, settings and
# generated audio (~/.local/share/xi-studio, ~/.config/xi-studio) are kept.
set -eu
APP_ID=io.github.xistudio.XIStudio
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
rm -f "$HOME/.local/bin/xi-studio" "$DATA/applications/$APP_ID.desktop" \
  "$DATA/mime/packages/$APP_ID.xml" "$DATA/metainfo/$APP_ID.metainfo.xml"
find "$DATA/icons/hicolor" -name "$APP_ID.*" -delete 2>/dev/null || true
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
rm -rf "$HOME/.local/opt/xi-studio"
echo "XI Studio was removed. Your history and settings are kept in $DATA/xi-studio."

#!/usr/bin/env bash
# Build build/xi-studio_<version>_<arch>.deb from the one-folder bundle.
#
#   bash packaging/build_deb.sh            # builds the bundle first if it is missing
#   XI_DEB_SKIP_BUNDLE=1 bash packaging/build_deb.sh   # use build/bundle/dist as it is
#
# Layout: the bundle under /opt/xi-studio, a `xi-studio` command in /usr/bin, the menu
# entry, MIME types, icons and AppStream data under /usr/share. Menus, MIME and icon
# caches are refreshed by dpkg's own triggers (desktop-file-utils, shared-mime-info,
# hicolor-icon-theme), so the package needs no maintainer scripts and removes cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.github.xistudio.XIStudio
BUNDLE=build/bundle/dist/xi-studio
if [ ! -x "$BUNDLE/xi-studio" ] && [ -z "${XI_DEB_SKIP_BUNDLE:-}" ]; then
  bash packaging/build_bundle.sh
fi
test -x "$BUNDLE/xi-studio" || { echo "no bundle at $BUNDLE: run packaging/build_bundle.sh" >&2; exit 1; }

VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
ARCH=$(dpkg --print-architecture)
STAGE=build/deb/xi-studio_${VERSION}_${ARCH}
OUT=build/xi-studio_${VERSION}_${ARCH}.deb
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin"

cp -a "$BUNDLE" "$STAGE/opt/xi-studio"
# A wrapper, not a symlink: the bundle finds its files next to the real executable.
cat > "$STAGE/usr/bin/xi-studio" <<'EOF'
#!/bin/sh
exec /opt/xi-studio/xi-studio "$@"
EOF
chmod 0755 "$STAGE/usr/bin/xi-studio"

install -Dm644 "packaging/linux/$APP_ID.desktop" "$STAGE/usr/share/applications/$APP_ID.desktop"
install -Dm644 "packaging/linux/$APP_ID.metainfo.xml" "$STAGE/usr/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 "packaging/linux/$APP_ID.mime.xml" "$STAGE/usr/share/mime/packages/$APP_ID.xml"
for size_dir in icons/hicolor/*/; do
  size=$(basename "$size_dir")
  for icon in "$size_dir"apps/*; do
    install -Dm644 "$icon" "$STAGE/usr/share/icons/hicolor/$size/apps/$(basename "$icon")"
  done
done
install -Dm644 README.md "$STAGE/usr/share/doc/xi-studio/README.md"
cat > "$STAGE/usr/share/doc/xi-studio/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: XI Studio
Files: *
Copyright: The XI Studio developers
License: MIT
 The bundle under /opt/xi-studio also carries third-party libraries under their own
 licences (Qt/PySide6: LGPL-3.0; eSpeak NG: GPL-3.0; FFmpeg via PyAV: LGPL-2.1+;
 PortAudio: MIT; libsndfile: LGPL-2.1+); Help -> About in the app lists them.
EOF

# The system libraries the bundle's Qt and sound need (the same list packaging/setup.sh
# installs for a source checkout, less the Python ones: the bundle carries its Python).
DEPENDS="libc6, libasound2, libglib2.0-0, libegl1, libgl1, libx11-6, libdbus-1-3, \
libfontconfig1, libfreetype6, libxkbcommon0, libxcb-cursor0, libxkbcommon-x11-0, \
libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, \
libxcb-xkb1, libxcb-randr0, libxcb-shm0, libxcb-sync1, libxcb-xfixes0, libx11-xcb1"
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: xi-studio
Version: $VERSION
Architecture: $ARCH
Maintainer: The XI Studio developers <xi-studio@users.noreply.github.com>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Recommends: gnome-keyring | kwalletmanager
Section: sound
Priority: optional
Homepage: https://github.com/xistudio/xi-studio
Description: speech, transcripts and music with ElevenLabs, or offline
 XI Studio is a desktop studio for voiceovers, transcripts and song sketches:
 text to speech with voices and voice settings, transcripts reviewed in sync with
 their audio, and a music composer with a section plan. With an ElevenLabs API key
 it uses the ElevenLabs cloud; without one it runs on its built-in offline engine.
EOF

mkdir -p build
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$OUT" >/dev/null
echo "deb ok: $OUT ($(du -h "$OUT" | cut -f1))"

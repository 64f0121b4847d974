#!/usr/bin/env bash
# Build the single-file Linux download: build/xi-studio-<version>-<arch>.run, a
# self-extracting archive (makeself, from Debian) of the one-folder bundle that installs
# XI Studio for the current user (no password) and opens it. Then prove it: install into
# a throw-away home, run the installed command headless, uninstall.
#
# Why not an AppImage: appimagetool and its runtime are only published as GitHub release
# binaries (the PyPI `appimage` package downloads them at build time), and no package
# registry reachable here carries them. The AppImage recipe is in packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
command -v makeself >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends makeself >/dev/null

APP_ID=io.github.xistudio.XIStudio
BUNDLE=build/bundle/dist/xi-studio
test -x "$BUNDLE/xi-studio" || bash packaging/build_bundle.sh
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
ARCH=$(uname -m)
STAGE=build/run/payload
OUT=build/xi-studio-${VERSION}-${ARCH}.run
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -a "$BUNDLE" "$STAGE/xi-studio"
cp packaging/linux/install-user.sh packaging/linux/uninstall.sh "$STAGE/"
cp "packaging/linux/$APP_ID.desktop" "packaging/linux/$APP_ID.mime.xml" \
   "packaging/linux/$APP_ID.metainfo.xml" "$STAGE/"
cp -r icons/hicolor "$STAGE/hicolor"
makeself --quiet --gzip --nox11 "$STAGE" "$OUT" "XI Studio $VERSION" ./install-user.sh >/dev/null
echo "run ok: $OUT ($(du -h "$OUT" | cut -f1))"

# Install, run and remove it in a throw-away home.
TRY=$(mktemp -d)
HOME="$TRY" XDG_DATA_HOME="$TRY/.local/share" sh "$OUT" --quiet -- --no-launch
test -x "$TRY/.local/bin/xi-studio"
test -f "$TRY/.local/share/applications/$APP_ID.desktop"
(cd "$TRY" && HOME="$TRY" QT_QPA_PLATFORM=offscreen XI_STUDIO_HOME="$TRY/xi-home" \
  "$TRY/.local/bin/xi-studio" --version)
HOME="$TRY" XDG_DATA_HOME="$TRY/.local/share" sh "$TRY/.local/opt/xi-studio/uninstall.sh"
test ! -e "$TRY/.local/bin/xi-studio"
test ! -e "$TRY/.local/opt/xi-studio"
rm -rf "$TRY"
echo "run install/uninstall ok"

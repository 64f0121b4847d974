#!/usr/bin/env bash
# Install the built .deb the way a user would (apt install ./file.deb), prove the installed
# app runs headless (--version, --screenshot), validate the installed desktop files, then
# remove it and prove nothing of it is left. Run as root (CI) or with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APP_ID=io.github.xistudio.XIStudio
DEB=$(ls -t build/xi-studio_*.deb | head -n 1)
echo "installing $DEB"

# Read the control data once into a variable: piping dpkg-deb into `grep -q` under
# pipefail fails at random, because grep exits at its first match and dpkg-deb then dies
# of SIGPIPE (CI run 23 failed that way on a package that did declare its libraries).
DEB_INFO=$(dpkg-deb --info "$DEB")
sed -n '/Package:/,/Description:/p' <<<"$DEB_INFO"
grep -q '^ Depends: .*libxcb-cursor0' <<<"$DEB_INFO" \
  || { echo "the package does not declare its system libraries" >&2; exit 1; }

# A leftover install from an earlier run would hide a broken one.
$SUDO apt-get remove -y -qq xi-studio >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "./$DEB" >/dev/null

test -x /usr/bin/xi-studio
test -f "/usr/share/applications/$APP_ID.desktop"
test -f "/usr/share/metainfo/$APP_ID.metainfo.xml"
test -f "/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
desktop-file-validate "/usr/share/applications/$APP_ID.desktop"
appstreamcli validate --no-net "/usr/share/metainfo/$APP_ID.metainfo.xml"

SMOKE=$(mktemp -d)
export QT_QPA_PLATFORM=offscreen XI_STUDIO_HOME="$SMOKE/home"
unset ELEVENLABS_API_KEY || true
# From another folder, so nothing of the checkout can stand in for the installed app.
(cd "$SMOKE" && xi-studio --version)
(cd "$SMOKE" && xi-studio --screenshot "$SMOKE/installed.png" --tab speech)
test -s "$SMOKE/installed.png"
echo "installed app ok: $(xi-studio --version)"

DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq xi-studio >/dev/null
if [ -e /opt/xi-studio ] || [ -e /usr/bin/xi-studio ] \
   || [ -e "/usr/share/applications/$APP_ID.desktop" ]; then
  echo "removing the package left files behind" >&2
  exit 1
fi
rm -rf "$SMOKE"
echo "deb install/remove ok"

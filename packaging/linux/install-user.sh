#!/bin/sh
# Runs inside the self-extracting XI Studio download (xi-studio-<version>-<arch>.run):
# installs the app for this user only (no password needed) and opens it.
#   --no-launch   install without opening the app (used by CI)
# Installed: ~/.local/opt/xi-studio (the app), ~/.local/bin/xi-studio (the command),
# the menu entry, icons and file types under ~/.local/share. Remove it all with
#   ~/.local/opt/xi-studio/uninstall.sh
set -eu
APP_ID=io.github.xistudio.XIStudio
HERE=$(cd "$(dirname "$0")" && pwd)
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
OPT="$HOME/.local/opt/xi-studio"
BIN="$HOME/.local/bin"
launch=1
for arg in "$@"; do
  [ "$arg" = "--no-launch" ] && launch=0
done

echo "Installing XI Studio for $(id -un) into $OPT ..."
rm -rf "$OPT.new"
mkdir -p "$OPT.new" "$BIN"
cp -a "$HERE/xi-studio/." "$OPT.new/"
cp "$HERE/uninstall.sh" "$OPT.new/uninstall.sh"
chmod 0755 "$OPT.new/uninstall.sh"
# Swap in one step, so an interrupted update leaves the previous copy working.
rm -rf "$OPT.old"
[ -d "$OPT" ] && mv "$OPT" "$OPT.old"
mv "$OPT.new" "$OPT"
rm -rf "$OPT.old"

cat > "$BIN/xi-studio" <<WRAP
#!/bin/sh
exec "$OPT/xi-studio" "\$@"
WRAP
chmod 0755 "$BIN/xi-studio"

mkdir -p "$DATA/applications" "$DATA/mime/packages" "$DATA/metainfo"
sed "s|^Exec=xi-studio|Exec=$BIN/xi-studio|; s|^TryExec=xi-studio|TryExec=$BIN/xi-studio|" \
  "$HERE/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
cp "$HERE/$APP_ID.mime.xml" "$DATA/mime/packages/$APP_ID.xml"
cp "$HERE/$APP_ID.metainfo.xml" "$DATA/metainfo/$APP_ID.metainfo.xml"
cp -r "$HERE/hicolor" "$DATA/icons/" 2>/dev/null || { mkdir -p "$DATA/icons"; cp -r "$HERE/hicolor" "$DATA/icons/"; }
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" >/dev/null 2>&1 || true

echo "XI Studio is installed: find it in your applications menu, or run $BIN/xi-studio"
if [ "$launch" = 1 ]; then
  nohup "$OPT/xi-studio" >/dev/null 2>&1 &
fi

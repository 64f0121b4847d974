#!/usr/bin/env bash
# Wrap dist/XI Studio.app (from packaging/xi-studio.spec) in a drag-to-Applications disk
# image, build/XI-Studio-<version>.dmg, with hdiutil (macOS only; run by
# packaging/workflows/macos.yml on a hosted runner, not on the Linux machines).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(python3 -c "import app; print(app.__version__)")
STAGE=build/dmg
rm -rf "$STAGE" && mkdir -p "$STAGE"
cp -R "dist/XI Studio.app" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "XI Studio" -srcfolder "$STAGE" -ov -format UDZO "build/XI-Studio-$VERSION.dmg"
echo "dmg ok: build/XI-Studio-$VERSION.dmg"

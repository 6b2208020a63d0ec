#!/usr/bin/env bash
# Serve a class from one machine: a Ray head, N aeviz servers that share it and one model store,
# and nginx in front with sticky sessions. Stops everything it started on Ctrl-C (or SIGTERM).
#
#   deploy/serve-class.sh                 # http://127.0.0.1:8080, two servers (8601, 8602)
#   PORT=9000 SERVERS="8701 8702 8703" deploy/serve-class.sh
#
# Needs requirements-ray.txt installed and nginx (apt-get install nginx). Environment:
#   PORT       nginx's port (8080)            SERVERS   the app servers' ports ("8601 8602")
#   LISTEN     nginx's address (127.0.0.1; 0.0.0.0 to serve other machines, e.g. a classroom)
#   RAY_PORT   the Ray head's port (6380)     RAY_CPUS  cores Ray may use (all of this machine's)
#   AEVIZ_CACHE  the model store and class board every server shares (~/.cache/aeviz)
#   AEVIZ_TEACHER_TOKEN  the teacher's secret: entered on the Class board page, it sets the task
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8080}
LISTEN=${LISTEN:-127.0.0.1}
SERVERS=${SERVERS:-"8601 8602"}
RAY_PORT=${RAY_PORT:-6380}
RAY_CPUS=${RAY_CPUS:-$(nproc)}
export AEVIZ_CACHE=${AEVIZ_CACHE:-$HOME/.cache/aeviz}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/aeviz-class.XXXXXX")
pids=()

stop() {
  trap - EXIT INT TERM
  [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap stop EXIT INT TERM

wait_for() {  # wait_for URL what: until the URL answers (up to 90 s)
  for _ in $(seq 1 180); do
    if python3 -c "import urllib.request as u; u.urlopen('$1', timeout=2)" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "serve-class: $2 did not start; see $RUN" >&2
  exit 1
}

# 1. The Ray head, with token authentication: a token of this class's own, which every process of
# the cluster reads from the file (on other machines: copy it there, same path or RAY_AUTH_TOKEN_PATH).
export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH=${RAY_AUTH_TOKEN_PATH:-$RUN/ray-token}
[ -s "$RAY_AUTH_TOKEN_PATH" ] || (umask 077 && python3 -c "import secrets; print(secrets.token_hex(32))" >"$RAY_AUTH_TOKEN_PATH")
# --block: ray start stays in the foreground of its process, and stopping it stops Ray.
ray start --head --block --port="$RAY_PORT" --num-cpus="$RAY_CPUS" \
  --include-dashboard=false --disable-usage-stats >"$RUN/ray.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do grep -q "Ray runtime started" "$RUN/ray.log" && break; sleep 0.5; done
grep -q "Ray runtime started" "$RUN/ray.log" || { echo "serve-class: Ray did not start" >&2; cat "$RUN/ray.log" >&2; exit 1; }
# The address Ray gives its head (this machine's own address, which Ray prefers to 127.0.0.1).
RAY_ADDRESS=$(sed -n "s/.*ray start --address='\([^']*\)'.*/\1/p" "$RUN/ray.log" | head -n 1)

# 2. The app servers, each a Ray driver, sharing the cluster and the model store.
upstreams=""
for p in $SERVERS; do
  AEVIZ_RAY_ADDRESS="$RAY_ADDRESS" streamlit run app.py --server.port "$p" --server.address 127.0.0.1 \
    >"$RUN/app-$p.log" 2>&1 &
  pids+=($!)
  upstreams+="        server 127.0.0.1:$p;"$'\n'
done
for p in $SERVERS; do wait_for "http://127.0.0.1:$p/_stcore/health" "the app server on port $p"; done

# 3. nginx in front.
mkdir -p "$RUN"/{body,proxy,fastcgi,uwsgi,scgi}
python3 - "$RUN" "$LISTEN" "$PORT" "$upstreams" <<'PY'
import sys
run, listen, port, upstreams = sys.argv[1:5]
text = open("deploy/nginx.conf.template").read()
for name, value in {"RUN": run, "LISTEN": listen, "PORT": port, "UPSTREAMS": upstreams}.items():
    text = text.replace(f"@{name}@", value)
open(f"{run}/nginx.conf", "w").write(text)
PY
nginx -c "$RUN/nginx.conf" -g "daemon on;"
wait_for "http://127.0.0.1:$PORT/_stcore/health" "nginx"
echo "serve-class: the class's address is http://$LISTEN:$PORT (servers: $SERVERS; Ray head $RAY_ADDRESS;" \
     "model store $AEVIZ_CACHE/models; logs in $RUN)"
wait "${pids[0]}"

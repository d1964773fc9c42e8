#!/usr/bin/env bash
# HTTP API throughput and latency with wrk (64 connections), in one run:
#   1. GET /digitaltwins/Room1 from dtwin serve,
#   2. the same JSON body as a static file from nginx (worker_processes auto, and 1),
#   3. PATCH /digitaltwins/Room1 (a new co2 value each time, If-Match: *), every write
#      answered after its group commit (store.durability=process, the default).
# Prints each figure and markdown rows for docs/benchmarks.md.
#
# Usage: bench/api_bench.sh [DTWIN_BIN]     (default: build/release/src/app/dtwin)
#        DURATION=10 (seconds per measurement)
# Installs wrk and nginx-light (Debian packages) when missing; starts everything on free
# loopback ports and stops it by PID at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dtwin=${1:-$root/build/release/src/app/dtwin}
duration=${DURATION:-10}
connections=64

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
if ((${#missing[@]})); then
  echo "api_bench: installing ${missing[*]}"
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d "${TMPDIR:-/tmp}/dtwin-api-bench-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

example=$root/examples/door-and-two-rooms
"$dtwin" --data "$work/data" model import "$example/models" >/dev/null
"$dtwin" --data "$work/data" import "$example/twins.json" >/dev/null
api_port=$(free_port)
"$dtwin" --data "$work/data" --set log.level=warn --set "mqtt.url=mqtt://127.0.0.1:$(free_port)" \
  --set "api.listen=127.0.0.1:$api_port" serve >"$work/serve.log" 2>&1 &
pids+=($!)
wait_port "$api_port"
# Give Room1 the properties a live room has, so the body is the size users see.
curl -s -X PATCH "http://127.0.0.1:$api_port/digitaltwins/Room1" -H 'Content-Type: application/json-patch+json' \
  -d '[{"op":"add","path":"/temperature","value":21.4},{"op":"add","path":"/humidity","value":41.0},
       {"op":"add","path":"/light","value":312},{"op":"add","path":"/co2","value":612},
       {"op":"add","path":"/motion","value":true}]' >/dev/null
mkdir -p "$work/www"
curl -s "http://127.0.0.1:$api_port/digitaltwins/Room1" >"$work/www/room1.json"
chmod 755 "$work" "$work/www" && chmod 644 "$work/www/room1.json" # nginx's workers run as another user
echo "body: $(wc -c <"$work/www/room1.json") bytes"

run_wrk() { # label url [script]
  local args=(-t2 -c"$connections" -d"${duration}s" --latency)
  [[ -n ${3:-} ]] && args+=(-s "$3")
  echo "== $1 ($duration s, $connections connections)" >&2
  wrk "${args[@]}" "$2" | tee "$work/$1.txt" >&2
  if grep -q "Non-2xx" "$work/$1.txt"; then
    echo "api_bench: $1 got error responses; its figures would be meaningless" >&2
    exit 1
  fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.txt")
  echo "$rps $p99"
}

start_nginx() { # workers port
  mkdir -p "$work/nginx-$1"
  cat >"$work/nginx-$1/nginx.conf" <<EOF
worker_processes $1;
pid $work/nginx-$1/nginx.pid;
error_log $work/nginx-$1/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$1; proxy_temp_path $work/nginx-$1; fastcgi_temp_path $work/nginx-$1;
  uwsgi_temp_path $work/nginx-$1; scgi_temp_path $work/nginx-$1;
  types { application/json json; }
  server { listen 127.0.0.1:$2; root $work/www; location / { default_type application/json; } }
}
EOF
  "$nginx_bin" -c "$work/nginx-$1/nginx.conf" -p "$work/nginx-$1" 2>>"$work/nginx-$1/error.log" &
  pids+=($!)
  wait_port "$2"
}

read -r dtwin_rps dtwin_p99 < <(run_wrk dtwin-get "http://127.0.0.1:$api_port/digitaltwins/Room1")
port_auto=$(free_port); start_nginx auto "$port_auto"
read -r nginx_rps nginx_p99 < <(run_wrk nginx-auto "http://127.0.0.1:$port_auto/room1.json")
port_one=$(free_port); start_nginx 1 "$port_one"
read -r nginx1_rps nginx1_p99 < <(run_wrk nginx-1 "http://127.0.0.1:$port_one/room1.json")

cat >"$work/patch.lua" <<'EOF'
local n = 0
request = function()
  n = n + 1
  local body = '[{"op":"replace","path":"/co2","value":' .. (400 + n % 1000) .. '}]'
  return wrk.format("PATCH", "/digitaltwins/Room1",
                    {["Content-Type"] = "application/json-patch+json", ["If-Match"] = "*"}, body)
end
EOF
read -r patch_rps patch_p99 < <(run_wrk dtwin-patch "http://127.0.0.1:$api_port/digitaltwins/Room1" "$work/patch.lua")

ratio() { /usr/bin/python3 -c "print(f'{float($1) / float($2):.2f}')"; }
echo
echo "| measurement | requests/s | p99 | ratio |"
echo "| --- | --- | --- | --- |"
echo "| GET twin, dtwin | $dtwin_rps | $dtwin_p99 | $(ratio "$dtwin_rps" "$nginx_rps")x nginx (auto), $(ratio "$dtwin_rps" "$nginx1_rps")x nginx (1 worker) |"
echo "| GET same JSON, nginx worker_processes auto | $nginx_rps | $nginx_p99 | |"
echo "| GET same JSON, nginx worker_processes 1 | $nginx1_rps | $nginx1_p99 | |"
echo "| PATCH twin (If-Match: *), dtwin, answered after commit | $patch_rps | $patch_p99 | |"
grep -q "error\|critical" "$work/serve.log" && { echo "dtwin serve logged errors:"; cat "$work/serve.log"; } || true

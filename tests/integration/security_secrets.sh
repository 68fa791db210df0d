#!/usr/bin/env bash
# Secrets stay secret: the client secret, its Basic form, every access
# token the simulator issued and the callback key appear in no output,
# log, plan, audit line, metrics file or callback, at -vv --trace all.
# Files trunkctl creates are mode 0600 under umask 022. Callbacks go
# only to https or loopback http URLs, and a redirect is not followed.
. "$(dirname "$0")/reliability_common.bash"

CALLBACK_KEY=cb-key-5e7a91c04d2b
umask 022
out="$work/outputs"
mkdir -p "$out"

# A callback receiver on 127.0.0.1: /hook returns 200, /moved returns a
# redirect to /hook. Every request is appended to $work/received.
cat >"$work/receiver.py" <<'EOF'
import http.server, sys

log = open(sys.argv[1], "a")

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write("%s %s\n%s\n%s\n" % (self.command, self.path,
                  self.headers, body.decode("utf-8", "replace")))
        log.flush()
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/hook")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_port))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
EOF
python3 "$work/receiver.py" "$work/received" "$work/receiver.port" &
sim_pids+=($!)
for i in $(seq 100); do
  [ -s "$work/receiver.port" ] && break
  sleep 0.05
done
[ -s "$work/receiver.port" ] || { fail "the callback receiver did not start"; finish; }
hook="http://127.0.0.1:$(cat "$work/receiver.port")"

sim_start --seed "$EXAMPLE_SEED"
TC_ENV="TRUNKCTL_CALLBACK_SECRET=$CALLBACK_KEY"

# Keeps the last run's output under NAME.
keep() {
  cp "$work/out" "$out/$1.out"
  cp "$work/err" "$out/$1.err"
}

tc -vv --trace all plan --out "$work/plan.json" "$EXAMPLE"
keep plan
tc -vv --trace all plan --format json "$EXAMPLE"
keep plan-json
tc -vv --trace all plan --format markdown "$EXAMPLE"
keep plan-markdown
tc -vv --trace all apply --auto-approve --verify-poll-interval 20ms \
  --audit-log "$work/audit.jsonl" --metrics-file "$work/metrics.prom" \
  --callback "$hook/hook" --callback "$hook/moved" "$EXAMPLE"
keep apply
expect_status 0 "apply with callbacks"
# Expired tokens make trunkctl fetch a new one and log the refresh.
sim_fault '{"kind": "expire_tokens"}'
tc -vv --trace all apply --auto-approve --verify-poll-interval 20ms \
  --plan "$work/plan.json" --audit-log "$work/audit.jsonl"
keep apply-plan
"$TRUNKCTL" -vv --trace all audit verify "$work/audit.jsonl" \
  >"$out/audit.out" 2>"$out/audit.err"

# The secret from a file, with a wrong secret for the 401 path.
printf '%s\n' "$CLIENT_SECRET" >"$work/secret"
chmod 600 "$work/secret"
env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" "$TRUNKCTL" -vv --trace all \
  --api-url "$SIM_URL" --client-secret-file "$work/secret" \
  plan "$EXAMPLE" >"$out/secret-file.out" 2>"$out/secret-file.err"
env GENESYSCLOUD_OAUTHCLIENT_ID="$CLIENT_ID" \
  GENESYSCLOUD_OAUTHCLIENT_SECRET="$CLIENT_SECRET-wrong" \
  "$TRUNKCTL" -vv --trace all --api-url "$SIM_URL" --retry-attempts 0 \
  plan "$EXAMPLE" >"$out/wrong.out" 2>"$out/wrong.err"
grep -q 'error: .*401' "$out/wrong.err" ||
  fail "a wrong secret: no 401 error: $(head -c 300 "$out/wrong.err")"

[ -s "$out/apply.err" ] && grep -q 'Authorization' "$out/apply.err" ||
  fail "-vv printed no request headers; the check below would see nothing"
grep -q 'POST /hook' "$work/received" ||
  fail "the callback receiver got no delivery"

# Every token the simulator issued, the secret in every form it takes.
mapfile -t tokens < <(sim_admin GET /__sim/tokens | jq -r '.tokens[]')
[ "${#tokens[@]}" -ge 2 ] || fail "expected 2 or more tokens, got ${#tokens[@]}"
basic=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)
secrets=("$CLIENT_SECRET" "$basic" "$CALLBACK_KEY" "${tokens[@]}")
files=("$out"/* "$work/plan.json" "$work/audit.jsonl" \
  "$work/metrics.prom" "$work/received")
for secret in "${secrets[@]}"; do
  for f in "${files[@]}"; do
    if grep -qF -- "$secret" "$f"; then
      fail "a secret (${secret:0:6}...) appears in $(basename "$f")"
      grep -nF -- "$secret" "$f" | head -3 | cut -c1-200 >&2
    fi
  done
done
grep -q 'X-Trunkctl-Signature: sha256=' "$work/received" ||
  fail "callbacks are not signed"

# File modes.
for f in "$work/plan.json" "$work/audit.jsonl" "$work/metrics.prom"; do
  mode=$(stat -c %a "$f")
  [ "$mode" = 600 ] || fail "$(basename "$f") has mode $mode, expected 600"
done

# A redirect is not followed: /moved returned 302, /hook got one
# delivery per trunk from the first URL only.
moved=$(grep -c '^POST /moved' "$work/received")
hooked=$(grep -c '^POST /hook' "$work/received")
[ "$moved" -gt 0 ] || fail "no delivery to the redirecting URL"
[ "$hooked" -eq "$moved" ] ||
  fail "redirect followed: $hooked deliveries to /hook, $moved to /moved"
grep -qE 'callback to .*/moved failed' "$out/apply.err" ||
  fail "the failed callback to /moved is not reported"

# Callback URLs: https, or http on loopback only; checked before a run.
for url in http://192.0.2.1/hook http://callbacks.invalid/hook \
  ftp://127.0.0.1/hook "file:///etc/passwd" "https://user:pw@127.0.0.1:9/x"; do
  sim_admin POST /__sim/requests/reset >/dev/null
  tc apply --auto-approve --callback "$url" "$EXAMPLE"
  expect_no_crash "--callback $url"
  expect_status 1 "--callback $url"
  expect_err "callback" "--callback $url message"
  grep -q 'pw@' "$work/err" && fail "--callback $url: the password is echoed"
  [ "$(sim_admin GET /__sim/requests | jq .total)" -eq 0 ] ||
    fail "--callback $url: requests sent before the URL was rejected"
done
TC_ENV= tc apply --auto-approve --callback "$hook/hook" "$EXAMPLE"
expect_status 1 "--callback without a key"
expect_err "TRUNKCTL_CALLBACK_SECRET" "--callback without a key message"
finish

#!/usr/bin/env bash
# TLS: trunksim serves HTTPS with a self-signed certificate made here.
# By default trunkctl rejects it with a message that names the problem
# and --cacert. With --cacert it accepts it. --cacert replaces the
# system's CA bundle, so another CA is not enough. A certificate for
# another host name is rejected even with --cacert. Plain http to a
# host that is not loopback is rejected before any connection.
. "$(dirname "$0")/reliability_common.bash"

make_cert() {  # NAME SUBJECT_ALT_NAMES
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -subj "/CN=$1" -addext "subjectAltName=$2" \
    -keyout "$work/$1.key" -out "$work/$1.crt" 2>"$work/openssl.err" ||
    { fail "openssl: $(cat "$work/openssl.err")"; finish; }
}
make_cert 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
make_cert other.example "DNS:other.example"

SIM_SCHEME=https
SIM_CACERT="$work/127.0.0.1.crt"
sim_start --seed "$EXAMPLE_SEED" --tls-cert "$work/127.0.0.1.crt" \
  --tls-key "$work/127.0.0.1.key"
grep -q "listening on https://127.0.0.1:$SIM_PORT" "$SIM_LOG" ||
  fail "trunksim does not say it serves https"

# Without --cacert: rejected at once, with the reason and the fix.
started=$(date +%s%N)
tc plan "$EXAMPLE"
elapsed=$((($(date +%s%N) - started) / 1000000))
expect_no_crash "untrusted certificate"
expect_status 1 "untrusted certificate"
expect_err "SSL certificate problem: self-signed certificate" \
  "untrusted certificate: the problem"
expect_err "pass --cacert FILE" "untrusted certificate: the fix"
expect_err "after 1 attempt" "untrusted certificate: not retried"
note "untrusted certificate rejected in $elapsed ms"

# With --cacert: plan, apply and the audit log work over https.
tc --cacert "$work/127.0.0.1.crt" plan --detailed-exitcode "$EXAMPLE"
expect_status 2 "plan over https"
tc_apply --cacert "$work/127.0.0.1.crt" --audit-log "$work/audit.jsonl" \
  "$EXAMPLE"
expect_status 0 "apply over https"
expect_no_crash "apply over https"
tc --cacert "$work/127.0.0.1.crt" \
  plan --detailed-exitcode "$EXAMPLE"
expect_status 0 "plan over https after apply"
audit_ok "$work/audit.jsonl" || fail "audit verify: $(cat "$work/audit.err")"

# --cacert with another CA: the simulator's certificate is not trusted.
tc --cacert "$work/other.example.crt" plan "$EXAMPLE"
expect_status 1 "another CA"
expect_err "certificate" "another CA message"

# --cacert names a file that does not exist.
tc --cacert "$work/missing.crt" plan "$EXAMPLE"
expect_status 1 "missing CA file"
expect_err "missing.crt" "missing CA file message"
sim_stop

# A certificate for another name, trusted: the host name does not match.
sim_start --seed "$EXAMPLE_SEED" --tls-cert "$work/other.example.crt" \
  --tls-key "$work/other.example.key"
tc --cacert "$work/other.example.crt" plan "$EXAMPLE"
expect_status 1 "wrong host name"
expect_err "127.0.0.1|host|name" "wrong host name message"
sim_stop

# Plain http to hosts that are not loopback: rejected while reading the
# options, so no connection is tried (the addresses are TEST-NET-1 and a
# name under .invalid, and no request goes out).
for url in http://192.0.2.1:8080 http://trunks.invalid \
  http://127.0.0.1.example.invalid http://[2001:db8::1]:80; do
  started=$(date +%s%N)
  SIM_URL=$url tc --request-timeout 100ms plan "$EXAMPLE"
  elapsed=$((($(date +%s%N) - started) / 1000000))
  expect_no_crash "plain http to $url"
  expect_status 1 "plain http to $url"
  expect_err "https|loopback" "plain http to $url message"
  grep -qiE 'connect|resolve|timed out' "$work/err" &&
    fail "plain http to $url: a connection was tried"
  [ "$elapsed" -lt 1000 ] || fail "plain http to $url took $elapsed ms"
done
SIM_URL=https://127.0.0.1:9 tc --login-url http://192.0.2.1 plan "$EXAMPLE"
expect_status 1 "plain http login URL"
expect_err "login|https|loopback" "plain http login URL message"
finish

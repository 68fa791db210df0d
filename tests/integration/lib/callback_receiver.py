#!/usr/bin/env python3
"""A callback receiver for the integration cases, on 127.0.0.1 only.

Checks each POST as a carrier portal would: the X-Trunkctl-Signature
header must be "sha256=" and the HMAC-SHA256 of the raw body under the
key in TRUNKCTL_CALLBACK_SECRET, and X-Trunkctl-Delivery must equal the
body's deliveryId. Appends one JSON line per request to --log with what
it found, and the raw body to --bodies. Responds with 500 to the first
try of each delivery with --fail-first, to every try with --always-fail,
else with 204.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--bodies", required=True)
parser.add_argument("--fail-first", action="store_true")
parser.add_argument("--always-fail", action="store_true")
args = parser.parse_args()

key = os.environ.get("TRUNKCTL_CALLBACK_SECRET", "").encode()
lock = threading.Lock()
seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        signature = self.headers.get("X-Trunkctl-Signature", "")
        delivery = self.headers.get("X-Trunkctl-Delivery", "")
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        try:
            parsed = json.loads(body)
            body_delivery = parsed.get("deliveryId")
        except ValueError:
            parsed, body_delivery = None, None
        with lock:
            first = delivery not in seen
            seen.add(delivery)
            if args.always_fail or (args.fail_first and first):
                status = 500
            else:
                status = 204
            record = {
                "delivery": delivery,
                "signatureValid": bool(key) and
                hmac.compare_digest(signature, expected),
                "deliveryMatches": delivery != "" and
                delivery == body_delivery,
                "json": parsed is not None,
                "trunk": parsed.get("trunk") if parsed else None,
                "status": status,
            }
            with open(args.log, "a") as log:
                log.write(json.dumps(record) + "\n")
            with open(args.bodies, "ab") as bodies:
                bodies.write(body + b"\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *unused):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()

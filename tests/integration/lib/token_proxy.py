#!/usr/bin/env python3
"""An OAuth token route in front of trunksim, on 127.0.0.1 only.

Forwards POST /oauth/token, headers and body as they are, to the
simulator at --upstream and returns its response, after appending the
access token it issued to --tokens. The secrets case points trunkctl's
--login-url here to learn the tokens it must not print.
"""
import argparse
import http.server
import json
import os
import urllib.error
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--upstream", required=True)
parser.add_argument("--tokens", required=True)
args = parser.parse_args()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = urllib.request.Request(
            args.upstream + self.path, data=body, method="POST",
            headers={name: self.headers[name]
                     for name in ("Authorization", "Content-Type")
                     if self.headers.get(name)})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, data = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        if status == 200:
            with open(args.tokens, "a") as tokens:
                tokens.write(json.loads(data)["access_token"] + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *unused):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()

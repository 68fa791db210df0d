"""Comparison clients for the benchmarks, written against the same
trunksim with the Python standard library only (http.client, which keeps
connections alive, as Go's net/http client does by default).

- tutorial_read / tutorial_apply: the algorithm of a step-by-step
  tutorial: one request at a time, trunk listings at the API's default
  page size of 25, and a fixed wait after each activation instead of
  polling the trunk's status.
- terraform_refresh: a Terraform-style refresh: list each edge's trunks,
  then read every trunk by id, 10 requests in parallel (Terraform's
  default -parallelism).

They fetch and send only; comparing with the manifests is left out,
which favours them.
"""
import base64
import http.client
import json
import queue
import threading
import time
import urllib.parse

EDGES = "/api/v2/telephony/providers/edges"


class Client:
    """One keep-alive connection with a bearer token; counts requests."""

    def __init__(self, port, token=None):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port,
                                                     timeout=60)
        self.token = token
        self.requests = 0

    def call(self, method, path, body=None, headers=None):
        all_headers = {"Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = "Bearer " + self.token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        self.connection.request(method, path, body=body,
                                headers=all_headers)
        response = self.connection.getresponse()
        data = response.read()
        self.requests += 1
        if response.status >= 400:
            raise RuntimeError("%s %s: HTTP %d: %s" % (
                method, path, response.status, data[:200]))
        return json.loads(data) if data else None

    def login(self, client_id, secret):
        basic = base64.b64encode(("%s:%s" % (client_id, secret)).encode())
        answer = self.call("POST", "/oauth/token",
                           body="grant_type=client_credentials",
                           headers={"Authorization": "Basic "
                                    + basic.decode(),
                                    "Content-Type":
                                    "application/x-www-form-urlencoded"})
        self.token = answer["access_token"]

    def close(self):
        self.connection.close()


def list_trunks(client, edge_id, page_size):
    """Return every live trunk of an edge, following nextUri."""
    trunks = []
    path = "%s/%s/trunks?pageSize=%d&pageNumber=1" % (
        EDGES, urllib.parse.quote(edge_id), page_size)
    while path:
        page = client.call("GET", path)
        trunks.extend(t for t in page["entities"]
                      if t.get("state") != "deleted")
        next_uri = page.get("nextUri")
        path = None
        if next_uri:
            path = "%s/%s/trunks%s" % (EDGES, urllib.parse.quote(edge_id),
                                       next_uri[next_uri.index("?"):])
    return trunks


def tutorial_read(port, client_id, secret, edge_ids):
    """Read every edge's trunks one request at a time, 25 a page."""
    started = time.monotonic()
    client = Client(port)
    client.login(client_id, secret)
    count = 0
    for edge_id in edge_ids:
        count += len(list_trunks(client, edge_id, 25))
    wall = time.monotonic() - started
    client.close()
    return {"requests": client.requests, "trunks": count, "wall": wall}


def tutorial_apply(port, client_id, secret, creates, wait_s):
    """Create and activate trunks one request at a time.

    `creates` maps an edge id to the payloads to create. Each edge is
    listed first (25 a page) to skip names that exist. Each trunk is
    created and activated, and after a fixed `wait_s` it is read once to
    check that it is ENABLED."""
    started = time.monotonic()
    client = Client(port)
    client.login(client_id, secret)
    enabled = 0
    for edge_id, payloads in creates.items():
        edge_path = "%s/%s/trunks" % (EDGES, urllib.parse.quote(edge_id))
        existing = {t["name"].lower()
                    for t in list_trunks(client, edge_id, 25)}
        for payload in payloads:
            if payload["name"].lower() in existing:
                continue
            trunk = client.call("POST", edge_path, body=payload)
            trunk_path = "%s/%s" % (edge_path, trunk["id"])
            client.call("POST", trunk_path + "/activate")
            time.sleep(wait_s)
            if client.call("GET", trunk_path)["status"] == "ENABLED":
                enabled += 1
    wall = time.monotonic() - started
    client.close()
    return {"requests": client.requests, "trunks": enabled, "wall": wall}


def terraform_refresh(port, client_id, secret, edge_ids, parallelism=10):
    """List each edge's trunks, then GET each trunk, on `parallelism`
    connections."""
    started = time.monotonic()
    login = Client(port)
    login.login(client_id, secret)
    token = login.token
    login.close()
    work = queue.Queue()
    for edge_id in edge_ids:
        work.put(("list", edge_id))
    clients = [Client(port, token) for _ in range(parallelism)]
    errors = []
    read = [0]
    lock = threading.Lock()

    def worker(client):
        while True:
            try:
                kind, arg = work.get(timeout=0.05)
            except queue.Empty:
                if work.unfinished_tasks == 0:
                    return
                continue
            try:
                if kind == "list":
                    for trunk in list_trunks(client, arg, 100):
                        work.put(("get", (arg, trunk["id"])))
                else:
                    client.call("GET", "%s/%s/trunks/%s" % (
                        EDGES, urllib.parse.quote(arg[0]), arg[1]))
                    with lock:
                        read[0] += 1
            except Exception as error:  # reported after the run
                errors.append(str(error))
            finally:
                work.task_done()

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    for client in clients:
        client.close()
    if errors:
        raise RuntimeError("terraform_refresh: %d errors, first: %s"
                           % (len(errors), errors[0]))
    return {"requests": 1 + sum(c.requests for c in clients),
            "trunks": read[0], "wall": wall}

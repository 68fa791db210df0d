#!/usr/bin/env python3
"""Write trunkctl manifests for the benchmarks, one file per edge.

  manifests.py from-state STATE.json OUTDIR
      manifests that match a trunksim state (GET /__sim/state) field for
      field, so a plan of them has no changes.
  manifests.py creates EDGES TRUNKS SEED.json OUTDIR
      a trunksim seed of EDGES empty edges (maxTrunks 100) and manifests
      that declare TRUNKS new active trunks on each.
"""
import json
import os
import sys


def quote(text):
    return json.dumps(text)


def trunk_lines(trunk):
    nat = trunk.get("natTraversal", "DISABLED") == "ENABLED"
    endpoints = ", ".join(quote(e) for e in trunk["sipEndpoints"])
    codecs = ", ".join(trunk.get("codecs", ["PCMU", "PCMA"]))
    state = "active"
    if trunk.get("status") == "DISABLED":
        state = "inactive"
    return [
        "  - name: %s" % quote(trunk["name"]),
        "    description: %s" % quote(trunk.get("description", "")),
        "    sipEndpoints: [%s]" % endpoints,
        "    codecs: [%s]" % codecs,
        "    maxConcurrentCalls: %d" % trunk.get("maxConcurrentCalls", 100),
        "    natTraversal: %s" % ("true" if nat else "false"),
        "    keepAlive: {interval: %d, protocol: %s}" % (
            trunk.get("keepAliveInterval", 30),
            trunk.get("keepAliveProtocol", "SIP")),
        "    sipInviteTimeout: %d" % trunk.get("sipInviteTimeout", 15),
        "    rtpTimeout: %d" % trunk.get("rtpTimeout", 30),
        "    state: %s" % state,
    ]


def write_edge(outdir, index, edge_id, max_trunks, trunks):
    lines = [
        "apiVersion: trunkctl/v1",
        "kind: EdgeTrunks",
        "edge:",
        "  id: %s" % edge_id,
        "  maxTrunks: %d" % max_trunks,
        "trunks:",
    ]
    for trunk in trunks:
        lines.extend(trunk_lines(trunk))
    path = os.path.join(outdir, "edge-%05d.yaml" % index)
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def from_state(state_path, outdir):
    with open(state_path) as f:
        state = json.load(f)
    os.makedirs(outdir, exist_ok=True)
    count = 0
    for index, edge in enumerate(state["edges"], 1):
        trunks = [t for t in edge.get("trunks", [])
                  if t.get("state", "active") == "active"]
        write_edge(outdir, index, edge["id"], edge.get("maxTrunks", 50),
                   trunks)
        count += len(trunks)
    print("%d edges, %d trunks" % (len(state["edges"]), count))


def creates(edges, trunks, seed_path, outdir):
    os.makedirs(outdir, exist_ok=True)
    seed = {"edges": []}
    for e in range(1, edges + 1):
        edge_id = "bench-edge-%04d" % e
        seed["edges"].append({"id": edge_id, "name": "edge-%04d" % e,
                              "maxTrunks": 100, "trunks": []})
        wanted = []
        for t in range(1, trunks + 1):
            wanted.append({
                "name": "new-trunk-%04d" % t,
                "description": "benchmark trunk",
                "sipEndpoints": ["198.51.100.%d:5060" % (t % 250 + 1)],
                "codecs": ["PCMU", "PCMA"],
                "maxConcurrentCalls": 100,
            })
        write_edge(outdir, e, edge_id, 100, wanted)
    with open(seed_path, "w") as out:
        json.dump(seed, out)
    print("%d edges, %d trunks to create" % (edges, edges * trunks))


def main(argv):
    if len(argv) == 4 and argv[1] == "from-state":
        from_state(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "creates":
        creates(int(argv[2]), int(argv[3]), argv[4], argv[5])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

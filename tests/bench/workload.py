"""Benchmark workloads: trunksim seed files and the matching manifests.

Both come from one deterministic generator, so a plan of the manifests
against trunksim seeded with the seed file has no changes.
"""
import json
import os
import random

CODEC_SETS = (["PCMU", "PCMA"], ["PCMU", "PCMA", "G729"], ["G722", "PCMU"],
              ["PCMA"])


def edge_id(index):
    return "bench-edge-%05d" % index


def make_trunk(rng, edge_index, trunk_index):
    """Return one trunk in trunksim's seed format (API field names)."""
    octet = (edge_index * 7 + trunk_index) % 254 + 1
    endpoints = ["198.51.100.%d:5060" % octet]
    if rng.random() < 0.3:
        endpoints.append("sbc%d.carrier-%d.example.net:5061"
                         % (trunk_index, edge_index % 17))
    return {
        "name": "trunk-%04d" % trunk_index,
        "description": "Carrier trunk %d of edge %d" % (trunk_index,
                                                        edge_index),
        "maxConcurrentCalls": rng.randrange(10, 1001, 10),
        "codecs": list(rng.choice(CODEC_SETS)),
        "sipEndpoints": endpoints,
        "natTraversal": rng.choice(("ENABLED", "DISABLED")),
        "keepAliveInterval": rng.choice((30, 30, 60, 120)),
        "keepAliveProtocol": rng.choice(("SIP", "SIP", "OPTIONS")),
        "sipInviteTimeout": rng.choice((8, 15, 15, 20)),
        "rtpTimeout": rng.choice((30, 30, 60)),
        "status": "ENABLED",
    }


def trunk_yaml(trunk):
    """Return the manifest lines that declare `trunk` as it is."""
    endpoints = ", ".join(json.dumps(e) for e in trunk["sipEndpoints"])
    nat = "true" if trunk.get("natTraversal") == "ENABLED" else "false"
    return [
        "  - name: %s" % trunk["name"],
        "    description: %s" % json.dumps(trunk.get("description", "")),
        "    sipEndpoints: [%s]" % endpoints,
        "    codecs: [%s]" % ", ".join(trunk.get("codecs", ["PCMU",
                                                             "PCMA"])),
        "    maxConcurrentCalls: %d" % trunk["maxConcurrentCalls"],
        "    natTraversal: %s" % nat,
        "    keepAlive: {interval: %d, protocol: %s}"
        % (trunk.get("keepAliveInterval", 30),
           trunk.get("keepAliveProtocol", "SIP")),
        "    sipInviteTimeout: %d" % trunk.get("sipInviteTimeout", 15),
        "    rtpTimeout: %d" % trunk.get("rtpTimeout", 30),
    ]


def write_manifest(path, edge, trunks, max_trunks):
    lines = [
        "apiVersion: trunkctl/v1",
        "kind: EdgeTrunks",
        "edge:",
        "  id: %s" % edge,
        "  maxTrunks: %d" % max_trunks,
        "trunks:",
    ]
    for trunk in trunks:
        lines.extend(trunk_yaml(trunk))
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def in_sync(edges, trunks_per_edge, seed_path, manifest_dir, random_seed=1):
    """Write a seed of `edges` edges with `trunks_per_edge` trunks each and
    one manifest file per edge that declares exactly those trunks."""
    rng = random.Random(random_seed)
    os.makedirs(manifest_dir, exist_ok=True)
    seed_edges = []
    for e in range(1, edges + 1):
        trunks = [make_trunk(rng, e, t)
                  for t in range(1, trunks_per_edge + 1)]
        seed_edges.append({"id": edge_id(e), "name": "edge-%05d" % e,
                           "maxTrunks": max(50, trunks_per_edge),
                           "trunks": trunks})
        write_manifest(os.path.join(manifest_dir, "edge-%05d.yaml" % e),
                       edge_id(e), trunks, max(50, trunks_per_edge))
    if seed_path:
        with open(seed_path, "w") as out:
            json.dump({"edges": seed_edges}, out, separators=(",", ":"))


def creates(edges, trunks_per_edge, seed_path, manifest_dir, random_seed=1):
    """Write a seed of `edges` empty edges (maxTrunks 100) and manifests
    that declare `trunks_per_edge` new active trunks on each. Return the
    payloads by edge id, for the baseline clients."""
    rng = random.Random(random_seed)
    os.makedirs(manifest_dir, exist_ok=True)
    seed_edges = []
    payloads = {}
    for e in range(1, edges + 1):
        trunks = [make_trunk(rng, e, t)
                  for t in range(1, trunks_per_edge + 1)]
        seed_edges.append({"id": edge_id(e), "name": "edge-%05d" % e,
                           "maxTrunks": 100, "trunks": []})
        write_manifest(os.path.join(manifest_dir, "edge-%05d.yaml" % e),
                       edge_id(e), trunks, 100)
        payloads[edge_id(e)] = [{k: v for k, v in t.items()
                                 if k != "status"} for t in trunks]
    with open(seed_path, "w") as out:
        json.dump({"edges": seed_edges}, out, separators=(",", ":"))
    return payloads

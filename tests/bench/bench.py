#!/usr/bin/env python3
"""trunkctl benchmarks against trunksim on 127.0.0.1.

Run through tests/bench/run.sh, which builds the programs and passes
their paths. Each scenario starts its own trunksim, checks the request
counts that the simulator recorded, and times trunkctl. The tables go to
stdout and, with --doc, into the marked section of docs/benchmarks.md.
The exit status is 1 when a run fails or a request count is not the
minimum. Timing targets that are missed are reported, not failed.
"""
import argparse
import datetime
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

import baselines
import simctl
import workload

TRUNKS_PER_EDGE = 50
LATENCY_MS = 20
PARALLELISM = 10
RATE_PER_MINUTE = 1200
PLATFORM_RATE = 300
ACTIVATION_DELAY_MS = 200
TUTORIAL_WAIT_S = 0.25
MEMORY_TARGET_MIB = 256

SIZES = {
    "tiny": {
        "reps": 1,
        "rate_edges": 20,
        "window_rate": None,
        "latency_edges": 20,
        "apply_edges": 2,
        "apply_trunks": 10,
        "tutorial_apply_edges": 1,
        "cpu_edges": 20,
        "scaling": [5, 20, 40],
    },
    "full": {
        "reps": 3,
        "rate_edges": 200,
        "window_rate": 150,
        "latency_edges": 1000,
        "apply_edges": 20,
        "apply_trunks": 50,
        "tutorial_apply_edges": 2,
        "cpu_edges": 1000,
        "scaling": [100, 1000, 10000],
    },
}

BEGIN_MARK = "<!-- BEGIN output of tests/bench/run.sh -->"
END_MARK = "<!-- END output of tests/bench/run.sh -->"

TRUNKS_ROUTE = "GET /api/v2/telephony/providers/edges/{edgeId}/trunks"
CREATE_ROUTE = "POST /api/v2/telephony/providers/edges/{edgeId}/trunks"


class Bench:
    def __init__(self, args):
        self.args = args
        self.size = SIZES[args.size]
        self.rows = []          # (scenario, measure, target, result, met)
        self.comparisons = []   # (scenario, client, requests, wall, note)
        self.scaling = []       # (kind, edges, trunks, wall, user, rss)
        self.failures = []
        self.loads = []
        os.makedirs(args.work, exist_ok=True)

    # -- helpers ---------------------------------------------------------

    def note_load(self):
        self.loads.append(os.getloadavg()[0])
        return self.loads[-1]

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
            print("FAILED: " + message, flush=True)
        return condition

    def row(self, scenario, measure, target, result, met=None,
            timed=False):
        """Record a table row. A timed row of a tiny run is not judged:
        its figures are too small to mean anything."""
        if timed and self.args.size == "tiny":
            met = None
        self.rows.append((scenario, measure, target, result, met))
        mark = ""
        if met is not None:
            mark = "  " + met_text(met, "met", "MISSED")
        print("  %-34s %-26s %s%s" % (measure, target, result, mark),
              flush=True)

    def in_sync(self, edges):
        """Return (seed, manifest folder) of an in-sync org, cached."""
        folder = os.path.join(self.args.work, "in-sync-%d" % edges)
        seed = os.path.join(folder, "seed.json")
        manifests = os.path.join(folder, "manifests")
        done = os.path.join(folder, "complete")
        if not os.path.exists(done):
            print("  writing %d edges x %d trunks to %s" % (
                edges, TRUNKS_PER_EDGE, folder), flush=True)
            subprocess.run(["rm", "-rf", folder], check=True)
            workload.in_sync(edges, TRUNKS_PER_EDGE, seed, manifests)
            open(done, "w").close()
        return seed, manifests

    def sim(self, *args):
        return simctl.Sim(self.args.trunksim, self.args.work, args)

    def trunkctl(self, sim, *args):
        return [self.args.trunkctl, "--api-url", sim.url,
                "--parallelism", str(PARALLELISM)] + list(args)

    def run_plan(self, sim, manifests, rate, label):
        """Run an in-sync plan; check its status, output and requests."""
        sim.reset_counts()
        load = self.note_load()
        run = simctl.measure(self.trunkctl(
            sim, "--max-requests-per-minute", str(rate), "plan",
            manifests), self.args.work)
        total, routes, log = sim.requests()
        self.check(run.status == 0, "%s: trunkctl plan exited %d: %s"
                   % (label, run.status, run.output[-2000:]))
        self.check("No changes" in run.output,
                   "%s: the plan of an in-sync org has changes" % label)
        run.requests = total
        run.routes = routes
        run.log = log
        run.load = load
        print("    %s: %.2f s wall, %.2f s user, %d MiB, %d requests, "
              "load %.1f" % (label, run.wall, run.user,
                             run.max_rss_kib // 1024, total, load),
              flush=True)
        return run

    # -- scenarios -------------------------------------------------------

    def rate_bound(self):
        edges = self.size["rate_edges"]
        print("1. rate-bound plan: %d edges x %d trunks, %d a minute"
              % (edges, TRUNKS_PER_EDGE, RATE_PER_MINUTE), flush=True)
        seed, manifests = self.in_sync(edges)
        runs = []
        with self.sim("--seed", seed, "--rate-limit",
                      str(RATE_PER_MINUTE)) as sim:
            for rep in range(self.size["reps"]):
                run = self.run_plan(sim, manifests, RATE_PER_MINUTE,
                                    "rate run %d" % (rep + 1))
                throttled = sum(1 for e in run.log if e["status"] == 429)
                self.check(throttled == 0, "rate-bound plan got %d 429 "
                           "answers" % throttled)
                self.check(run.requests == 1 + edges, "rate-bound plan "
                           "sent %d requests, expected %d"
                           % (run.requests, 1 + edges))
                run.throttled = throttled
                run.peak = peak_per_second(run.log)
                runs.append(run)

        run = median_run(runs)
        ideal = run.requests * 60.0 / RATE_PER_MINUTE
        self.row("1", "requests (minimum)", "%d" % (1 + edges),
                 "%d" % run.requests, run.requests == 1 + edges)
        self.row("1", "429 answers", "0",
                 "%d" % max(r.throttled for r in runs),
                 all(r.throttled == 0 for r in runs))
        self.row("1", "most requests in any 1 s", "%d a second + burst"
                 % (RATE_PER_MINUTE // 60), "%d" % max(r.peak for r in runs))
        self.row("1", "wall time", "<= %.2f s (1.1 x %.2f)"
                 % (1.1 * ideal, ideal), fmt_runs(runs),
                 run.wall <= 1.1 * ideal, timed=True)

        if self.size["window_rate"]:
            self.full_window(seed, manifests, edges,
                             self.size["window_rate"])

        requests = 1 + 1000 * math.ceil(TRUNKS_PER_EDGE / 100)
        self.row("1", "1,000 edges at %d a minute" % PLATFORM_RATE,
                 "computed", "%d requests / %d a minute = %.0f s"
                 % (requests, PLATFORM_RATE,
                    requests * 60.0 / PLATFORM_RATE))

    def full_window(self, seed, manifests, edges, rate):
        """Plan the same org at a rate its requests exceed, once.

        trunksim counts its limit over a sliding 60 s window, which the
        201 requests at 1,200 a minute cannot fill. At `rate` a minute
        they fill it, so a limiter that sent more than `rate` in any
        60 s would receive 429 responses."""
        with self.sim("--seed", seed, "--rate-limit", str(rate)) as sim:
            run = self.run_plan(sim, manifests, rate, "full-window run")
        throttled = sum(1 for e in run.log if e["status"] == 429)
        self.check(throttled == 0, "full-window plan got %d 429 answers"
                   % throttled)
        self.check(run.requests == 1 + edges, "full-window plan sent %d "
                   "requests, expected %d" % (run.requests, 1 + edges))
        ideal = run.requests * 60.0 / rate
        self.row("1", "at %d a minute: 429 answers" % rate, "0",
                 "%d" % throttled, throttled == 0)
        self.row("1", "at %d a minute: most in any 60 s" % rate,
                 "<= %d" % rate, "%d" % peak_in_window(run.log, 60000),
                 peak_in_window(run.log, 60000) <= rate)
        self.row("1", "at %d a minute: wall time" % rate,
                 "<= %.2f s (1.1 x %.2f)" % (1.1 * ideal, ideal),
                 "%.2f s (one run, load %.1f)" % (run.wall, run.load),
                 run.wall <= 1.1 * ideal, timed=True)

    def latency_plan(self, edges, scenario):
        """Plan an in-sync org of `edges` edges at 20 ms latency; return
        the median run."""
        seed, manifests = self.in_sync(edges)
        minimum = 1 + edges * math.ceil(TRUNKS_PER_EDGE / 100)
        runs = []
        with self.sim("--seed", seed, "--latency-ms",
                      str(LATENCY_MS)) as sim:
            for rep in range(self.size["reps"]):
                run = self.run_plan(sim, manifests, 0, "latency run %d, "
                                    "%d edges" % (rep + 1, edges))
                self.check(run.requests == minimum, "latency-bound plan "
                           "of %d edges sent %d requests, expected %d"
                           % (edges, run.requests, minimum))
                runs.append(run)
            if scenario:
                phases = self.traced_phases(sim, manifests)
                self.plan_baselines(sim, edges, runs)

        run = median_run(runs)
        ideal = run.requests * LATENCY_MS / 1000.0 / PARALLELISM
        if scenario:
            self.row(scenario, "requests (minimum)", "%d" % minimum,
                     "%d" % run.requests, run.requests == minimum)
            self.row(scenario, "wall time", "<= %.2f s (1.25 x %.2f)"
                     % (1.25 * ideal, ideal), fmt_runs(runs),
                     run.wall <= 1.25 * ideal, timed=True)
            if phases:
                self.row(scenario, "phases of one traced run", "",
                         "load %.2f s, fetch %.2f s (%.2f x %.2f), plan "
                         "and exit %.2f s; load %.1f"
                         % (phases[0], phases[1], phases[1] / ideal,
                            ideal, phases[2], phases[3]))
            self.row(scenario, "user time, peak RSS", "",
                     "%.2f s, %d MiB" % (median(r.user for r in runs),
                                         median(r.max_rss_kib
                                                for r in runs) // 1024))
        self.scaling.append(("plan, 20 ms latency", edges,
                             edges * TRUNKS_PER_EDGE,
                             median(r.wall for r in runs),
                             median(r.user for r in runs),
                             median(r.max_rss_kib for r in runs),
                             median(r.load for r in runs)))
        return run

    def traced_phases(self, sim, manifests):
        """Run one plan with --trace http and split its wall time.

        Return the seconds before the first request, from it to the end
        of the last one, and after it, then the load average. Trace lines
        start with the UTC time of day."""
        load = self.note_load()
        started = datetime.datetime.utcnow()
        run = simctl.measure([self.args.trunkctl, "--trace", "http",
                              "--api-url", sim.url, "--parallelism",
                              str(PARALLELISM),
                              "--max-requests-per-minute", "0", "plan",
                              manifests], self.args.work)
        stamps = [int(m.group(1)) * 3600 + int(m.group(2)) * 60
                  + float(m.group(3)) for m in re.finditer(
                      r"^(\d\d):(\d\d):(\d\d\.\d+) http: ", run.output,
                      re.MULTILINE)]
        if run.status != 0 or not stamps:
            print("    traced run failed or printed no trace", flush=True)
            return None
        day = started.replace(hour=0, minute=0, second=0, microsecond=0)
        start = (started - day).total_seconds()
        first, last = stamps[0] - start, stamps[-1] - start
        return (first, last - first, run.wall - last, load)

    def plan_baselines(self, sim, edges, runs):
        edge_ids = [workload.edge_id(e) for e in range(1, edges + 1)]
        run = median_run(runs)
        self.comparisons.append(("2", "trunkctl plan", run.requests,
                                 run.wall, runs_note(runs)))
        for name, call in (
                ("tutorial (sequential, 25 a page)",
                 lambda: baselines.tutorial_read(
                     sim.port, simctl.CLIENT_ID, simctl.CLIENT_SECRET,
                     edge_ids)),
                ("Terraform-style refresh (list + GET each, 10 at once)",
                 lambda: baselines.terraform_refresh(
                     sim.port, simctl.CLIENT_ID, simctl.CLIENT_SECRET,
                     edge_ids, PARALLELISM))):
            sim.reset_counts()
            load = self.note_load()
            result = call()
            total, _, _ = sim.requests()
            self.check(total == result["requests"], "%s: trunksim counted"
                       " %d requests, the client %d" % (
                           name, total, result["requests"]))
            print("    %s: %.2f s, %d requests, load %.1f" % (
                name, result["wall"], total, load), flush=True)
            self.comparisons.append(("2", name, total, result["wall"],
                                     "one run"))

    def latency_bound(self):
        edges = self.size["latency_edges"]
        print("2. latency-bound plan: %d edges x %d trunks, %d ms latency,"
              " parallelism %d" % (edges, TRUNKS_PER_EDGE, LATENCY_MS,
                                   PARALLELISM), flush=True)
        self.latency_plan(edges, "2")

    def apply(self):
        edges = self.size["apply_edges"]
        per_edge = self.size["apply_trunks"]
        creates = edges * per_edge
        print("3. apply: %d creates over %d edges, %d ms latency, %d ms "
              "activation" % (creates, edges, LATENCY_MS,
                              ACTIVATION_DELAY_MS), flush=True)
        folder = os.path.join(self.args.work, "creates-%d-%d"
                              % (edges, per_edge))
        seed = os.path.join(folder, "seed.json")
        manifests = os.path.join(folder, "manifests")
        subprocess.run(["rm", "-rf", folder], check=True)
        payloads = workload.creates(edges, per_edge, seed, manifests)

        sim_args = ("--seed", seed, "--latency-ms", str(LATENCY_MS),
                    "--activation-delay-ms", str(ACTIVATION_DELAY_MS))
        runs = []
        for rep in range(self.size["reps"]):
            with self.sim(*sim_args) as sim:
                load = self.note_load()
                audit = os.path.join(folder, "audit-%d.jsonl" % rep)
                run = simctl.measure(self.trunkctl(
                    sim, "--max-requests-per-minute", "0", "apply",
                    "--auto-approve", "--audit-log", audit,
                    "--verify-poll-interval", "100ms", manifests),
                    self.args.work)
                total, routes, _ = sim.requests()
            self.check(run.status == 0, "apply exited %d: %s"
                       % (run.status, run.output[-2000:]))
            self.check(routes.get(CREATE_ROUTE) == creates,
                       "apply sent %s creates, expected %d"
                       % (routes.get(CREATE_ROUTE), creates))
            run.requests = total
            run.load = load
            run.per_trunk = (total - 1 - edges) / creates
            self.check(run.per_trunk <= 5, "apply sent %.2f requests per "
                       "created trunk, expected at most 5" % run.per_trunk)
            print("    apply run %d: %.2f s wall, %.2f s user, %d requests"
                  " (%.2f a trunk), load %.1f" % (
                      rep + 1, run.wall, run.user, total, run.per_trunk,
                      load), flush=True)
            runs.append(run)

        run = median_run(runs)
        ideal = (run.requests * LATENCY_MS / 1000.0 / PARALLELISM
                 + ACTIVATION_DELAY_MS / 1000.0)
        self.row("3", "requests per created trunk", "<= 5",
                 "%.2f (%d in all)" % (run.per_trunk, run.requests),
                 run.per_trunk <= 5)
        self.row("3", "wall time", "<= %.2f s (1.5 x %.2f)"
                 % (1.5 * ideal, ideal), fmt_runs(runs),
                 run.wall <= 1.5 * ideal, timed=True)
        self.comparisons.append(("3", "trunkctl apply", run.requests,
                                 run.wall, runs_note(runs)))
        self.apply_baseline(seed, payloads, creates)

    def apply_baseline(self, seed, payloads, creates):
        subset = dict(list(payloads.items())[
            :self.size["tutorial_apply_edges"]])
        count = sum(len(p) for p in subset.values())
        with self.sim("--seed", seed, "--latency-ms", str(LATENCY_MS),
                      "--activation-delay-ms",
                      str(ACTIVATION_DELAY_MS)) as sim:
            self.note_load()
            result = baselines.tutorial_apply(
                sim.port, simctl.CLIENT_ID, simctl.CLIENT_SECRET, subset,
                TUTORIAL_WAIT_S)
            total, _, _ = sim.requests()
        self.check(result["trunks"] == count, "tutorial apply enabled %d "
                   "of %d trunks" % (result["trunks"], count))
        print("    tutorial apply, %d trunks: %.2f s, %d requests" % (
            count, result["wall"], total), flush=True)
        scale = creates / count
        self.comparisons.append((
            "3", "tutorial (sequential, %d ms wait after activate)"
            % (TUTORIAL_WAIT_S * 1000), round(total * scale),
            result["wall"] * scale,
            "measured on %d trunks (%d requests, %.1f s), scaled to %d"
            % (count, total, result["wall"], creates)))

    def cpu(self, edges, scenario):
        seed, manifests = self.in_sync(edges)
        names = ("yaml_scan", "validate", "plan")
        results = {name: [] for name in names}
        # The three programs take turns, so that each runs under the same
        # mix of load from the other users of the machine.
        with self.sim("--seed", seed) as sim:
            for rep in range(self.size["reps"]):
                for name in names:
                    if name == "plan":
                        run = self.run_plan(sim, manifests, 0,
                                            "cpu plan run %d, %d edges"
                                            % (rep + 1, edges))
                    else:
                        run = self.cpu_run(name, manifests, edges, rep)
                    results[name].append(run)
        # Under callgrind, tiny runs would only add time to ctest, and an
        # AddressSanitizer build cannot run under valgrind at all.
        if scenario and self.args.size == "full":
            self.instruction_counts(scenario, manifests)

        scan = median(r.user for r in results["yaml_scan"])
        for name in ("validate", "plan"):
            runs = results[name]
            user = median(r.user for r in runs)
            rss = median(r.max_rss_kib for r in runs) / 1024.0
            self.scaling.append(("%s, CPU" % name, edges,
                                 edges * TRUNKS_PER_EDGE,
                                 median(r.wall for r in runs), user,
                                 median(r.max_rss_kib for r in runs),
                                 median(r.load for r in runs)))
            if not scenario:
                continue
            self.row(scenario, "%s user time" % name, "<= %.2f s (2 x "
                     "scan)" % (2 * scan), "%.2f s (%.1f x scan); runs %s"
                     % (user, user / scan if scan else 0,
                        ", ".join("%.2f" % r.user for r in runs)),
                     user <= 2 * scan, timed=True)
            self.row(scenario, "%s peak RSS" % name, "<= %d MiB"
                     % MEMORY_TARGET_MIB, "%.0f MiB" % rss,
                     rss <= MEMORY_TARGET_MIB)
        if scenario:
            self.row(scenario, "yaml_scan user time, peak RSS", "",
                     "%.2f s, %d MiB" % (scan, median(
                         r.max_rss_kib for r in results["yaml_scan"])
                         // 1024))
        self.scaling.append(("yaml_scan", edges, edges * TRUNKS_PER_EDGE,
                             median(r.wall for r in results["yaml_scan"]),
                             scan, median(r.max_rss_kib for r in
                                          results["yaml_scan"]),
                             median(r.load for r in results["yaml_scan"])))

    def instruction_counts(self, scenario, manifests):
        """Compare validate with yaml_scan in instructions (callgrind),
        which the load on the machine does not change."""
        if not shutil.which("valgrind"):
            print("  valgrind not found: no instruction counts", flush=True)
            return
        counts = {}
        for name, argv in (("yaml_scan", [self.args.yaml_scan, manifests]),
                           ("validate", [self.args.trunkctl, "validate",
                                         manifests])):
            done = subprocess.run(
                ["valgrind", "--tool=callgrind",
                 "--callgrind-out-file=/dev/null"] + argv,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True)
            found = re.search(r"refs:\s+([\d,]+)", done.stderr)
            if done.returncode != 0 or not found:
                self.check(False, "callgrind of %s failed: %s"
                           % (name, done.stderr[-500:]))
                return
            counts[name] = int(found.group(1).replace(",", ""))
            print("    %s under callgrind: %s instructions"
                  % (name, "{:,}".format(counts[name])), flush=True)
        ratio = counts["validate"] / counts["yaml_scan"]
        self.row(scenario, "validate instructions", "<= 2 x scan",
                 "{:,} ({:.2f} x scan's {:,})".format(
                     counts["validate"], ratio, counts["yaml_scan"]),
                 ratio <= 2)

    def cpu_run(self, name, manifests, edges, rep):
        load = self.note_load()
        if name == "yaml_scan":
            argv = [self.args.yaml_scan, manifests]
        else:
            argv = [self.args.trunkctl, "validate", manifests]
        run = simctl.measure(argv, self.args.work)
        run.load = load
        self.check(run.status == 0, "%s exited %d: %s" % (
            name, run.status, run.output[-2000:]))
        print("    %s run %d, %d files: %.2f s wall, %.2f s user, %d MiB, "
              "load %.1f" % (name, rep + 1, edges, run.wall, run.user,
                             run.max_rss_kib // 1024, load), flush=True)
        return run

    def cpu_memory(self):
        edges = self.size["cpu_edges"]
        print("4. CPU and memory: %d trunks in %d files"
              % (edges * TRUNKS_PER_EDGE, edges), flush=True)
        self.cpu(edges, "4")

    def scaling_runs(self):
        print("5. scaling: %s edges" % ", ".join(
            str(e) for e in self.size["scaling"]), flush=True)
        for edges in self.size["scaling"]:
            if edges != self.size["latency_edges"]:
                self.latency_plan(edges, None)
            if edges != self.size["cpu_edges"]:
                self.cpu(edges, None)

    # -- output ----------------------------------------------------------

    def report(self):
        lines = []
        lines.append("Measured %s UTC with `tests/bench/run.sh --size %s`."
                     % (datetime.datetime.utcnow().strftime(
                         "%Y-%m-%d %H:%M"), self.args.size))
        lines.append("")
        lines.extend(machine_lines(self.loads, self.size["reps"]))
        lines.append("")
        lines.append("| scenario | measure | target | result | met |")
        lines.append("| --- | --- | --- | --- | --- |")
        for scenario, measure, target, result, met in self.rows:
            lines.append("| %s | %s | %s | %s | %s |" % (
                scenario, measure, target or "-", result,
                met_text(met, "yes", "**no**")))

        lines.append("")
        lines.append("Comparison clients, against the same trunksim in the "
                     "same run:")
        lines.append("")
        lines.append("| scenario | client | requests | wall time | note |")
        lines.append("| --- | --- | --- | --- | --- |")
        for scenario, client, requests, wall, note in self.comparisons:
            lines.append("| %s | %s | %s | %.2f s | %s |" % (
                scenario, client, "{:,}".format(requests), wall, note))

        lines.append("")
        lines.append("Scaling (medians; cost per trunk in microseconds):")
        lines.append("")
        lines.append("| run | edges | trunks | wall | wall per trunk | "
                     "user per trunk | peak RSS | load |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for kind, edges, trunks, wall, user, rss, load in sorted(
                self.scaling, key=lambda s: (s[0], s[1])):
            lines.append("| %s | %s | %s | %.2f s | %.1f | %.1f | %d MiB |"
                         " %.1f |" % (kind, "{:,}".format(edges),
                                      "{:,}".format(trunks), wall,
                                      wall * 1e6 / trunks,
                                      user * 1e6 / trunks, rss // 1024,
                                      load))

        if self.failures:
            lines.append("")
            lines.append("Failed checks:")
            lines.append("")
            lines.extend("- " + f for f in self.failures)

        text = "\n".join(lines) + "\n"
        print()
        print(text)
        if self.args.doc:
            write_doc(self.args.doc, text)


def machine_lines(loads, reps):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return [
        "- Machine: %d cores (`nproc`), CPU \"%s\", %.0f GiB of memory, "
        "Linux %s. The machine is shared: other builds and tests ran "
        "during the measurements, so the 1-minute load average is given "
        "with each figure (it ranged from %.1f to %.1f on the 2 cores)."
        % (os.cpu_count(), cpu, mem_kib / 1048576.0, platform.release(),
           min(loads or [0]), max(loads or [0])),
        ("- Figures are the median of %d runs unless the row says "
         "otherwise; wall times list every run." % reps) if reps > 1 else
        "- Each figure is from one run.",
    ]


def write_doc(path, text):
    """Replace the marked section of `path`, or append one."""
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmarks\n"
    block = BEGIN_MARK + "\n" + text + END_MARK + "\n"
    if BEGIN_MARK in old and END_MARK in old:
        head = old[:old.index(BEGIN_MARK)]
        tail = old[old.index(END_MARK) + len(END_MARK):].lstrip("\n")
        new = head + block + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n## trunkctl\n\n" + block
    with open(path + ".tmp", "w") as f:
        f.write(new)
    os.replace(path + ".tmp", path)
    print("wrote %s" % path)


def met_text(met, yes, no):
    """Return `yes` or `no` for a target, or "-" for a row without one."""
    if met is None:
        return "-"
    return yes if met else no


def median(values):
    return statistics.median(list(values))


def median_run(runs):
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[(len(ordered) - 1) // 2]


def fmt_runs(runs):
    run = median_run(runs)
    text = "%.2f s" % run.wall
    if len(runs) > 1:
        text += " (runs %s)" % ", ".join("%.2f" % r.wall for r in runs)
    return text


def runs_note(runs):
    """Say how a comparison row's figure was taken from `runs`."""
    return "median of %d" % len(runs) if len(runs) > 1 else "one run"


def peak_in_window(log, window_ms):
    """Return the most requests logged in any window of `window_ms`."""
    times = sorted(e["t"] for e in log)
    peak = start = 0
    for end, t in enumerate(times):
        while times[start] < t - window_ms:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def peak_per_second(log):
    """Return the most requests logged in any 1,000 ms window."""
    return peak_in_window(log, 1000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--trunkctl", required=True)
    parser.add_argument("--trunksim", required=True)
    parser.add_argument("--yaml-scan", required=True)
    parser.add_argument("--work", required=True,
                        help="folder for workloads (kept and reused)")
    parser.add_argument("--doc", help="Markdown file whose marked section "
                        "receives the tables")
    parser.add_argument("--only", help="comma list of scenarios 1-5")
    args = parser.parse_args()

    bench = Bench(args)
    steps = {"1": bench.rate_bound, "2": bench.latency_bound,
             "3": bench.apply, "4": bench.cpu_memory,
             "5": bench.scaling_runs}
    only = args.only.split(",") if args.only else sorted(steps)
    unknown = [key for key in only if key not in steps]
    if unknown:
        print("bench.py: error: --only takes scenarios 1 to 5, not '%s'"
              % ",".join(unknown), file=sys.stderr)
        return 2
    for key in only:
        steps[key]()
    bench.report()
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())

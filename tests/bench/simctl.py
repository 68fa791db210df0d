"""Start, query and stop a trunksim instance on 127.0.0.1 for the
benchmarks, and run one trunkctl command with its resource usage."""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.request

CLIENT_ID = "demo"
CLIENT_SECRET = "demo-secret"


class Sim:
    """A trunksim process with its admin API."""

    def __init__(self, binary, workdir, args):
        self.workdir = workdir
        port_file = os.path.join(workdir, "sim.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log = open(os.path.join(workdir, "sim.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--port-file", port_file,
             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
            + list(args), stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 300
        while not os.path.exists(port_file):
            if self.process.poll() is not None:
                raise RuntimeError("trunksim exited with status %d; see %s"
                                   % (self.process.returncode,
                                      self.log.name))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("trunksim did not start in 300 s")
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.url = "http://127.0.0.1:%d" % self.port

    def admin(self, method, path):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
        return json.loads(body) if body else None

    def reset_counts(self):
        self.admin("POST", "/__sim/requests/reset")

    def requests(self):
        """Return (total, {"METHOD route": count}, [log entries])."""
        data = self.admin("GET", "/__sim/requests?log=1")
        routes = {"%s %s" % (r["method"], r["route"]): r["count"]
                  for r in data["routes"]}
        return data["total"], routes, data.get("log", [])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def sim_env():
    env = dict(os.environ)
    env["GENESYSCLOUD_OAUTHCLIENT_ID"] = CLIENT_ID
    env["GENESYSCLOUD_OAUTHCLIENT_SECRET"] = CLIENT_SECRET
    return env


class Run:
    """The outcome of one measured command."""

    def __init__(self, status, wall, user, system, max_rss_kib, output):
        self.status = status
        self.wall = wall
        self.user = user
        self.system = system
        self.max_rss_kib = max_rss_kib
        self.output = output


def measure(argv, workdir, env=None, timeout=1800):
    """Run argv to completion under /usr/bin/time; return a Run with wall,
    user and system seconds and the peak resident memory.

    The peak memory comes from time's %M: the rusage that wait4() returns
    here would count the memory of the forked Python interpreter that
    exec'd the command. User and system time come from wait4(), which
    adds the command's time to time's own (a few milliseconds)."""
    out_path = os.path.join(workdir, "command.out")
    time_path = os.path.join(workdir, "command.time")
    with open(out_path, "w") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            ["/usr/bin/time", "-f", "%M", "-o", time_path] + list(argv),
            stdout=out, stderr=subprocess.STDOUT, env=env or sim_env())
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, errors="replace") as f:
        output = f.read()
    with open(time_path) as f:
        lines = f.read().split()
    max_rss_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return Run(process.returncode, wall, usage.ru_utime, usage.ru_stime,
               max_rss_kib, output)

"""fleetstack: the fleet's monitoring server on this machine's loopback, for the small-fleet test
(fleet-test) and the benchmark (fleet-bench): a real Pushgateway started as its shipped systemd
drop-in says, nginx with the shipped nginx-kiosk-push.conf, Prometheus with the shipped
prometheus.yml and kiosk-alerts.yml, the development register, and kiosk-fleet-sim. The shipped
files are copied with only their ports, paths (and, for the test, intervals) changed; each change
must apply, so a reworded file fails loudly instead of being tested unchanged.
Standard library only. Every process started is stopped (Stack.close), also when the driver dies
(PR_SET_PDEATHSIG)."""

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MONITORING = os.path.join(REPO, "image", "monitoring")


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(what, check, within, every=0.5):
    """Polls check() until it returns something true (returned), at most `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"not within {within:.0f} s: {what}")
        time.sleep(every)


def http(url, data=None, timeout=10):
    """GET (or POST data) url; the body as text, or None when no 2xx answer came."""
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read().decode()
    except OSError:
        return None


def rewrite(path, changes):
    """Replaces each (old, new) in the file at path; fails when old is not there."""
    with open(path) as f:
        text = f.read()
    for old, new in changes:
        if old not in text:
            raise Failure(f"{os.path.basename(path)} no longer has {old!r}: update fleetstack.py")
        text = text.replace(old, new)
    with open(path, "w") as f:
        f.write(text)


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def proc_times(pid):
    """(CPU seconds used, RSS bytes) of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


class Stack:
    def __init__(self, work, sim_bin, register_bin=None):
        self.work = work
        self.sim_bin = sim_bin
        self.register_bin = register_bin
        self.processes = []  # (name, Popen), in start order
        self.certs = os.path.join(work, "certs")
        self.ports = {}
        os.makedirs(work, exist_ok=True)

    # Section: processes

    def start(self, name, args, **kwargs):
        log = open(os.path.join(self.work, name + ".log"), "ab")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             preexec_fn=_die_with_parent, **kwargs)
        log.close()
        self.processes.append((name, p))
        return p

    def pid(self, name):
        return next(p.pid for n, p in self.processes if n == name)

    def check_running(self):
        for name, p in self.processes:
            if p.poll() is not None:
                raise Failure(f"{name} ended (status {p.returncode}): {self.tail(name)}")

    def tail(self, name, lines=15):
        try:
            with open(os.path.join(self.work, name + ".log"), errors="replace") as f:
                return "\n".join(f.read().splitlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        """Stops everything this stack started, the last started first."""
        for name, p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.processes = []

    # Section: the fleet's PKI

    def make_certs(self, kiosks):
        subprocess.run([os.path.join(HERE, "make-fleet-certs"), self.certs, str(kiosks)],
                       check=True, stdout=subprocess.DEVNULL)

    # Section: the Pushgateway, as prometheus-pushgateway.conf's ExecStart runs it

    def pushgateway(self, without=()):
        """without: flags taken off the drop-in's command line (the benchmark's comparison)."""
        with open(os.path.join(MONITORING, "prometheus-pushgateway.conf")) as f:
            text = f.read()
        m = re.search(r"^ExecStart=(/\S+.*?[^\\])$", text, re.M | re.S)
        if not m:
            raise Failure("prometheus-pushgateway.conf: no ExecStart with a command")
        args = m.group(1).replace("\\\n", " ").split()
        port = self.ports["pushgateway"] = free_port()
        changed = []
        for flag in without:
            if flag not in args:
                raise Failure(f"prometheus-pushgateway.conf has no {flag} to take off")
        for a in (a for a in args if a not in without):
            if a.startswith("--web.listen-address="):
                a = f"--web.listen-address=127.0.0.1:{port}"
            elif a.startswith("--persistence.file="):
                a = "--persistence.file=" + os.path.join(self.work, "pushgateway.data")
            changed.append(a)
        if not any(a.startswith("--web.listen-address=") for a in args):
            raise Failure("prometheus-pushgateway.conf: no --web.listen-address")
        self.start("pushgateway", changed)
        eventually("the Pushgateway answers",
                   lambda: http(f"http://127.0.0.1:{port}/-/ready") is not None, 30, 0.1)

    # Section: nginx with the shipped server block

    def nginx(self, workers="1", connections=256):
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        port = self.ports["nginx"] = free_port()
        d = os.path.join(self.work, "nginx")
        tls = os.path.join(d, "kiosk-push")
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        os.makedirs(tls, exist_ok=True)
        for ours, shipped in [("server.crt", "server.crt"), ("server.key", "server.key"),
                              ("ca.crt", "fleet-ca.crt")]:
            shutil.copy(os.path.join(self.certs, ours), os.path.join(tls, shipped))
        site = os.path.join(d, "kiosk-push.conf")
        shutil.copy(os.path.join(MONITORING, "nginx-kiosk-push.conf"), site)
        rewrite(site, [("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
                       ("listen [::]:443 ssl;", ""),
                       ("/etc/nginx/kiosk-push/", tls + "/"),
                       ("/var/log/nginx/", d + "/"),
                       ("server 127.0.0.1:9091;",
                        f"server 127.0.0.1:{self.ports['pushgateway']};")])
        user = "user root;" if os.getuid() == 0 else ""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"""daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_processes {workers};
{user}
events {{ worker_connections {connections}; }}
http {{
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {site};
}}
""")
        check = subprocess.run([nginx_bin, "-t", "-q", "-p", d, "-c", f"{d}/nginx.conf",
                                "-e", f"{d}/error.log"], capture_output=True, text=True)
        if check.returncode != 0:
            raise Failure("nginx -t refuses the configuration: " + check.stderr)
        self.start("nginx", [nginx_bin, "-p", d, "-c", f"{d}/nginx.conf", "-e", f"{d}/error.log"])

        def listening():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False
        eventually("nginx listens", listening, 30, 0.1)
        self.push_log = os.path.join(d, "kiosk-push.log")

    def push_statuses(self):
        """How many pushes nginx answered with each status, from its access log."""
        counts = {}
        with open(self.push_log) as f:
            for line in f:
                m = re.search(r'" (\d{3}) ', line)
                if m:
                    counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts

    # Section: the development register, with the fleet's CA for clients

    def register(self):
        """Mutual TLS with the fleet's CA: each kiosk's heartbeat under its own certificate,
        whose CN the register checks against the path's kiosk id."""
        d = os.path.join(self.work, "register")
        os.makedirs(d, exist_ok=True)
        port_file = os.path.join(d, "port")
        assets = os.path.join(REPO, "assets", "register")
        self.start("register", [
            self.register_bin, "--listen", "127.0.0.1:0",
            "--cert", os.path.join(self.certs, "server.crt"),
            "--key", os.path.join(self.certs, "server.key"),
            "--client-ca", os.path.join(self.certs, "ca.crt"),
            "--db", os.path.join(d, "register.sqlite"),
            "--catalog", os.path.join(assets, "services.json"),
            "--definitions", os.path.join(assets, "definitions.json"),
            "--api-key", "fleet-sim-key", "--port-file", port_file])

        self.ports["register"] = eventually("the register listens",
                                            lambda: self.port_in(port_file), 30, 0.1)
        self.register_url = f"https://127.0.0.1:{self.ports['register']}/"

    # Section: the simulator

    def sim(self, kiosks, scraped, push_interval_ms, heartbeat_interval_ms, management_port=0,
            threads=4, heartbeat_threads=4, extra=()):
        d = os.path.join(self.work, "prometheus", "targets")
        os.makedirs(d, exist_ok=True)
        port_file = os.path.join(self.work, "sim.port")
        args = [self.sim_bin, "--certs", self.certs, "--kiosks", str(kiosks),
                "--scraped", str(scraped), "--management-port", str(management_port),
                "--push-url", f"https://127.0.0.1:{self.ports['nginx']}",
                "--push-ca", os.path.join(self.certs, "ca.crt"),
                "--push-interval-ms", str(push_interval_ms),
                "--heartbeat-interval-ms", str(heartbeat_interval_ms),
                "--threads", str(threads), "--heartbeat-threads", str(heartbeat_threads),
                "--port-file", port_file,
                "--targets-file", os.path.join(d, "sim.yml"), *extra]
        if self.register_bin:
            args += ["--register-url", self.register_url,
                     "--register-ca", os.path.join(self.certs, "ca.crt"),
                     "--api-key", "fleet-sim-key"]
        self.start("sim", args)

        self.ports["sim"] = eventually("the simulator's kiosks are up",
                                       lambda: self.port_in(port_file), 120, 0.2)

    # The port a process wrote to its port file once it listens; 0 until then.
    def port_in(self, port_file):
        self.check_running()
        try:
            with open(port_file) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def control(self, path, post=False):
        body = http(f"http://127.0.0.1:{self.ports['sim']}{path}", b"" if post else None)
        if body is None:
            raise Failure(f"the simulator's control refused {path}: {self.tail('sim')}")
        return body

    def scrape(self, n, client):
        """GET /metrics of scraped kiosk n over TLS with certs/CLIENT.{crt,key}: the HTTP
        status, or the TLS error's words."""
        kiosk = next(k for k in json.loads(self.control("/kiosks")) if k["n"] == n)
        context = ssl.create_default_context(cafile=os.path.join(self.certs, "ca.crt"))
        context.load_cert_chain(os.path.join(self.certs, client + ".crt"),
                                os.path.join(self.certs, client + ".key"))
        url = f"https://{kiosk['address']}:{kiosk['port']}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=10, context=context) as answer:
                return answer.status
        except urllib.error.HTTPError as e:
            return e.code
        except (OSError, ssl.SSLError) as e:
            return str(e)

    def inject(self, n, fault):
        self.control(f"/kiosks/{n}/{fault}", post=True)

    def stats(self, reset=False):
        return json.loads(self.control("/stats/reset", post=True) if reset else
                          self.control("/stats"))

    # Section: Prometheus with the shipped configuration and rules

    def prometheus(self, fast=None):
        """fast: None for the shipped intervals, else a dict: scrape, push_scrape, evaluation
        and window (the rules' 90 s of silence before a kiosk is down), in seconds."""
        d = os.path.join(self.work, "prometheus")
        tls = os.path.join(d, "kiosk-tls")
        os.makedirs(tls, exist_ok=True)
        for ours, shipped in [("ca.crt", "fleet-ca.crt"), ("scraper.crt", "scraper.crt"),
                              ("scraper.key", "scraper.key")]:
            shutil.copy(os.path.join(self.certs, ours), os.path.join(tls, shipped))
        config = os.path.join(d, "prometheus.yml")
        rules = os.path.join(d, "kiosk-alerts.yml")
        shutil.copy(os.path.join(MONITORING, "prometheus.yml"), config)
        shutil.copy(os.path.join(MONITORING, "kiosk-alerts.yml"), rules)
        rewrite(config, [('targets: ["127.0.0.1:9091"]',
                          f'targets: ["127.0.0.1:{self.ports["pushgateway"]}"]')])
        if fast:
            rewrite(config, [
                ("scrape_interval: 30s", f"scrape_interval: {fast['scrape']}s"),
                ("scrape_timeout: 10s",
                 f"scrape_timeout: {min(10, fast['scrape'], fast['push_scrape'])}s"),
                ("evaluation_interval: 15s", f"evaluation_interval: {fast['evaluation']}s"),
                ("scrape_interval: 15s", f"scrape_interval: {fast['push_scrape']}s"),
                ("refresh_interval: 1m", "refresh_interval: 2s")])
            w = fast["window"]
            rewrite(rules, [("[90s]", f"[{w}s]"), ("< bool 90", f"< bool {w}")])
        port = self.ports["prometheus"] = free_port()
        self.prometheus_url = f"http://127.0.0.1:{port}"
        self.start("prometheus", [
            "prometheus", "--config.file", config, "--storage.tsdb.path", os.path.join(d, "data"),
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        eventually("Prometheus is ready",
                   lambda: self.check_running() or http(f"{self.prometheus_url}/-/ready"), 60, 0.2)

    def query(self, expr):
        """An instant query's vector: [(labels, value)]."""
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        body = http(url)
        if body is None:
            self.check_running()
            return []
        return [(r["metric"], float(r["value"][1])) for r in json.loads(body)["data"]["result"]]

    def own_metrics(self, name):
        """Prometheus's own /metrics (the shipped configuration does not scrape itself):
        {'name{labels}': value} for the series of metric `name`."""
        body = http(f"{self.prometheus_url}/metrics") or ""
        found = {}
        for line in body.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                key, _, value = line.rpartition(" ")
                found[key] = float(value)
        return found

    def rule_times(self):
        """[(seconds, rule name or alert)] of the last evaluation, slowest first."""
        body = http(f"{self.prometheus_url}/api/v1/rules")
        if not body:
            return []
        rules = [(r.get("evaluationTime", 0), r["name"])
                 for g in json.loads(body)["data"]["groups"] for r in g["rules"]]
        return sorted(rules, reverse=True)

    def alerts(self):
        body = http(f"{self.prometheus_url}/api/v1/alerts")
        return json.loads(body)["data"]["alerts"] if body else []

    def alert_state(self, name, kiosk):
        """'pending', 'firing' or None for alert `name` on kiosk (an id)."""
        for a in self.alerts():
            if a["labels"].get("alertname") == name and a["labels"].get("kiosk") == kiosk:
                return a["state"]
        return None

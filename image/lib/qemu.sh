#!/usr/bin/env bash
# shellcheck shell=bash disable=SC2034,SC2154
# (its variables are the caller's: set there, used there)
# Sourced by image/boot-check and image/update-check: a test kiosk under QEMU against a
# development register and a stand-in push gateway on this machine. The caller defines say()
# and fail(), sets here (image/), repo, build (the CMake build folder) and work (a fresh
# folder for this run), and calls these in order:
#   qemu_tools                      installs QEMU, OVMF, socat, openssl, python3 if missing
#   fleet_pki                       a throw-away CA, the register's, gateway's and client's
#                                   certificates, an operator key ($operator, its public line)
#   fleet_register [PORT]           the development register (mutual TLS) on 127.0.0.1:PORT
#                                   (default: any), admin endpoint $admin; $register_pid
#   fleet_gateway                   the push gateway's stand-in; $gateway_port, $gateway_pid
#   test_enrolment                  $work/enrol: a pushing kiosk KSK-BOOT-CHECK for them
#   probe_overlay NAME SCRIPT       $work/overlay: SCRIPT run at boot as NAME.service, its
#                                   output on the serial port
#   qemu_accel                      KVM when it runs the firmware, else software emulation:
#                                   $accel (QEMU's arguments), $accel_name, $accel_note
#   qemu_start DISK REGISTER_PORT ARGS...
#                                   boots DISK (UEFI; the guest reaches only the register at
#                                   10.0.2.100:8443 and the gateway at 10.0.2.101:443; its
#                                   port 9464 forwarded to $health_port), serial port appended
#                                   to $work/serial.log, monitor at $work/monitor.sock; $qemu_pid
#                                   ($qemu_guestfwd: more of QEMU's guestfwd= rules, comma-joined)
#   monitor COMMAND, screendump FILE   QEMU's monitor
#   fleet_stop                      stops QEMU, the register and the gateway (an EXIT trap)

qemu_pid='' register_pid='' gateway_pid=''

qemu_tools() {
  local p missing=()
  for p in qemu-system-x86 qemu-utils ovmf socat openssl python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

quietly() { "$@" >/dev/null 2>&1 || { "$@"; fail "$1 failed"; }; }

fleet_pki() {
  pki=$work/pki
  mkdir -p "$pki"
  quietly openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=boot-check CA" -keyout "$pki/ca.key" -out "$pki/ca.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  # (the client certificate names the kiosk: the register and the gateway check that)
  local who
  for who in server:"boot-check server" gateway:"boot-check gateway" client:KSK-BOOT-CHECK; do
    quietly openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=${who#*:}" -keyout "$pki/${who%%:*}.key" -out "$pki/${who%%:*}.csr"
  done
  printf 'subjectAltName=IP:10.0.2.100\nextendedKeyUsage=serverAuth\n' >"$pki/server.ext"
  printf 'subjectAltName=IP:10.0.2.101\nextendedKeyUsage=serverAuth\n' >"$pki/gateway.ext"
  printf 'extendedKeyUsage=clientAuth\n' >"$pki/client.ext"
  for who in server gateway client; do
    quietly openssl x509 -req -in "$pki/$who.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
      -CAcreateserial -days 30 -extfile "$pki/$who.ext" -out "$pki/$who.crt"
  done
  register=$build/register/kiosk-register
  command_tool=$build/kiosk/kiosk-command
  [ -x "$register" ] || cmake --build "$build" -j2 --target kiosk-register
  [ -x "$command_tool" ] || cmake --build "$build" -j2 --target kiosk-command
  # The operators' key: the kiosk runs only what it signed.
  operator=$("$command_tool" keygen --out "$pki/operator.key" 2>/dev/null)
  printf '%s\n' "$operator" >"$pki/operators.pub"
}

# wait_for_files FILE...: up to 5 s for each to be there and not empty.
wait_for_files() {
  local f
  for f in "$@"; do
    for _ in $(seq 50); do [ -s "$f" ] && break; sleep 0.1; done
    [ -s "$f" ] || fail "no $f"
  done
}

fleet_register() {
  rm -f "$work/register.port" "$work/admin.port"
  "$register" --listen "127.0.0.1:${1:-0}" --cert "$pki/server.crt" --key "$pki/server.key" \
    --client-ca "$pki/ca.crt" --db "$work/register.sqlite" \
    --catalog "$repo/assets/register/services.json" \
    --definitions "$repo/assets/register/definitions.json" --api-key boot-check-key \
    --port-file "$work/register.port" --admin-listen 127.0.0.1:0 \
    --admin-port-file "$work/admin.port" --operator-keys "$pki/operators.pub" \
    >>"$work/register.log" 2>&1 &
  register_pid=$!
  wait_for_files "$work/register.port" "$work/admin.port"
  register_port=$(cat "$work/register.port")
  admin=http://127.0.0.1:$(cat "$work/admin.port")
}

# The push gateway's stand-in: takes a PUT of /metrics/job/kiosk/kiosk/<id> only from the
# client certificate named <id> (as nginx does), and writes one line per push it took.
fleet_gateway() {
  python3 - "$pki" "$work/gateway.port" "$work/pushes.log" >"$work/gateway.log" 2>&1 <<'EOF' &
import http.server, ssl, sys
pki, port_file, pushes = sys.argv[1:4]

class Gateway(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        subject = dict(field[0] for field in self.connection.getpeercert()["subject"])
        ok = self.path == "/metrics/job/kiosk/kiosk/" + subject.get("commonName", "")
        if ok and b"kiosk_healthy" in body:
            with open(pushes, "a") as log:
                log.write(f"{self.path} {len(body)} bytes\n")
        self.send_response(200 if ok else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(f"{pki}/gateway.crt", f"{pki}/gateway.key")
tls.load_verify_locations(f"{pki}/ca.crt")
tls.verify_mode = ssl.CERT_REQUIRED
server.socket = tls.wrap_socket(server.socket, server_side=True)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
EOF
  gateway_pid=$!
  wait_for_files "$work/gateway.port"
  gateway_port=$(cat "$work/gateway.port")
}

fleet_stop() {
  [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
  [ -z "$register_pid" ] || kill "$register_pid" 2>/dev/null || true
  [ -z "$gateway_pid" ] || kill "$gateway_pid" 2>/dev/null || true
}

# The test kiosk's enrolment folder: a pushing one (the template's [monitoring] way (b)).
test_enrolment() {
  local pin_hash
  mkdir -p "$work/enrol/certs"
  cp "$pki/ca.crt" "$pki/client.crt" "$pki/client.key" "$work/enrol/certs/"
  cp "$pki/ca.crt" "$work/enrol/certs/push-ca.crt"
  pin_hash=$(printf '2468\n' | "$build/kiosk/kiosk-pin-hash")
  sed -e 's/^id = .*/id = "KSK-BOOT-CHECK"/' \
    -e 's/^office = .*/office = "Boot check office"/' \
    -e 's/^office_address = .*/office_address = "Boot check address"/' \
    -e 's/^duty_officer = .*/duty_officer = "Boot C. C."/' \
    -e 's|^url = .*|url = "https://10.0.2.100:8443/"|' \
    -e 's/^api_key = .*/api_key = "boot-check-key"/' \
    -e 's/^target = .*/target = ""   # no printer in QEMU: talons go to the spool/' \
    -e "s|^pin_hash = .*|$pin_hash|" \
    -e "s|^operator_keys = .*|operator_keys = [\"$operator\"]|" \
    -e '/^listen = "0\.0\.0\.0/d' -e '/^tls_cert = /d' -e '/^tls_key = /d' -e '/^scraper_ca = /d' \
    -e 's/^# \(listen = "127\.0\.0\.1\)/\1/' -e 's/^# \(push_ca = \)/\1/' \
    -e 's|^# push_url = .*|push_url = "https://10.0.2.101/"|' \
    "$here/files/etc/complaint-kiosk/kiosk.toml" >"$work/enrol/kiosk.toml"
  cat >"$work/enrol/site.nft" <<'EOF'
add element inet kiosk register_v4 { 10.0.2.100 }
add element inet kiosk register_ports { 8443 }
add element inet kiosk push_v4 { 10.0.2.101 }
add element inet kiosk push_ports { 443 }
EOF
}

# probe_overlay NAME SCRIPT: a unit of the test image only, reporting on the serial port.
probe_overlay() {
  local name=$1 script=$2
  mkdir -p "$work/overlay/usr/lib/systemd/system" "$work/overlay/usr/lib/complaint-kiosk" \
    "$work/overlay/etc/systemd/system/multi-user.target.wants"
  cp "$script" "$work/overlay/usr/lib/complaint-kiosk/$name"
  cat >"$work/overlay/usr/lib/systemd/system/kiosk-$name.service" <<EOF
[Unit]
Description=$name (test images only)
After=complaint-kiosk.service

[Service]
Type=${probe_type:-oneshot}
ExecStart=/usr/lib/complaint-kiosk/$name
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
EOF
  ln -sf "/usr/lib/systemd/system/kiosk-$name.service" \
    "$work/overlay/etc/systemd/system/multi-user.target.wants/kiosk-$name.service"
}

# KVM when it works: a /dev/kvm inside a VM may not run the firmware (nested KVM without the
# CPU features), so try the firmware alone for 10 s first.
kvm_works() {
  [ -w /dev/kvm ] || return 1
  local rc=0
  # (in braces with stderr closed: bash would report an aborting QEMU on its own)
  { timeout 10 qemu-system-x86_64 -accel kvm -cpu host -machine q35 -m 256 -display none \
    -serial none -monitor none -no-reboot \
    -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    >"$work/kvm-probe.log" 2>&1 || rc=$?; } 2>/dev/null
  # Still running when the timeout struck, and nothing to complain about: KVM runs.
  [ "$rc" -eq 124 ] && ! grep -qi 'error\|failed' "$work/kvm-probe.log"
}

qemu_accel() {
  if kvm_works; then
    accel=(-accel kvm -cpu host)
    accel_name=kvm
    accel_note="with KVM"
  else
    # Without AVX: QEMU 7.2's new AVX emulation crashes the code Mesa's llvmpipe compiles (the
    # kiosk segfaulted in it at most starts); real CPUs run it fine.
    accel=(-accel tcg -cpu "max,-avx,-avx2,-fma,-f16c")
    accel_name=tcg
    accel_note="without KVM (software emulation: slow; KVM: $(grep -m 1 -i 'error\|failed' "$work/kvm-probe.log" 2>/dev/null || echo "no /dev/kvm"))"
  fi
}

qemu_start() {
  local disk=$1 to_register=$2
  shift 2
  [ -e "$work/vars.fd" ] || cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
  health_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  qemu-system-x86_64 "${accel[@]}" -machine q35 -m 2048 -smp 2 \
    -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    -drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
    -drive file="$disk",format=raw,if=virtio \
    -vga std -display none -device virtio-tablet-pci \
    -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$health_port-:9464,guestfwd=tcp:10.0.2.100:8443-cmd:socat - TCP:127.0.0.1:$to_register,guestfwd=tcp:10.0.2.101:443-cmd:socat - TCP:127.0.0.1:$gateway_port${qemu_guestfwd:+,$qemu_guestfwd}" \
    -device virtio-net-pci,netdev=net0 \
    -chardev file,id=serial0,path="$work/serial.log",append=on -serial chardev:serial0 \
    -monitor unix:"$work/monitor.sock",server,nowait "$@" &
  qemu_pid=$!
}

monitor() { echo "$1" | socat - "UNIX-CONNECT:$work/monitor.sock" >/dev/null 2>&1 || true; }
# screendump FILE: what QEMU's display shows, as PNG.
screendump() { monitor "screendump $1 -f png"; }

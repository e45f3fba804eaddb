# Image area (image/): the kiosk system image's units, firewall, scripts and fleet monitoring,
# checked without building or booting the image (image/boot-check does that, outside CI).
# Needs systemd (systemd-analyze), nftables, shellcheck, prometheus (promtool) and python3
# (scripts/install-deps).
set(IMAGE_DIR ${CMAKE_SOURCE_DIR}/image)

# Every unit passes `systemd-analyze verify` (ExecStart binaries installed by the CMake rules into
# a scratch root) and the kiosk service keeps its hardening.
add_test(NAME image_units COMMAND ${IMAGE_DIR}/tests/check-units ${CMAKE_BINARY_DIR})
set_tests_properties(image_units PROPERTIES TIMEOUT 120)

# The nftables ruleset parses as shipped and with a site file, and drops by default (in a
# network namespace of its own; skipped where none can be made).
add_test(NAME image_firewall COMMAND ${IMAGE_DIR}/tests/check-firewall)
set_tests_properties(image_firewall PROPERTIES SKIP_RETURN_CODE 77)

# shellcheck on every shell script in image/, register/ and scripts/.
add_test(NAME image_scripts COMMAND ${IMAGE_DIR}/tests/check-scripts)

# A/B updates: make-bundle's bundle (a tiny tree for the image) verifies with the kiosk's RAUC
# configuration and the CA that signed it, and one signed under another CA is refused (rauc and
# squashfs-tools; skipped without them).
add_test(NAME image_bundle COMMAND ${IMAGE_DIR}/tests/check-bundle)
set_tests_properties(image_bundle PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60)

# Prometheus: the alert rules and scrape configuration load, the alerts fire as their unit
# tests say, and the rules and the Grafana dashboard use only metrics the kiosk exports.
find_program(PROMTOOL promtool REQUIRED)
add_test(NAME image_alert_rules
  COMMAND ${PROMTOOL} check rules ${IMAGE_DIR}/monitoring/kiosk-alerts.yml)
# (laid out as installed, with stand-ins for the certificates its tls_config names)
add_test(NAME image_prometheus_config
  COMMAND ${IMAGE_DIR}/tests/check-prometheus-config ${IMAGE_DIR}/monitoring prometheus.yml)
# Beyond one server: the regional and global Prometheus configurations of federation/ (and
# the region's web config), the same way; the regional one must stay prometheus.yml plus its
# region.
add_test(NAME image_federation_config
  COMMAND ${IMAGE_DIR}/tests/check-prometheus-config ${IMAGE_DIR}/monitoring
          federation/regional.yml federation/global.yml federation/web-config.yml)
add_test(NAME image_alert_tests
  COMMAND ${PROMTOOL} test rules ${IMAGE_DIR}/monitoring/kiosk-alerts.test.yml)
# Pushing kiosks: nginx (nginx-kiosk-push.conf) in front of a Pushgateway run with the flags of
# its systemd drop-in, on loopback ports: a kiosk's own push passes, a push for another kiosk's
# id, without a fleet certificate, with another method or path, too big or too often does not.
add_test(NAME image_push_proxy COMMAND ${IMAGE_DIR}/tests/check-push-proxy)
set_tests_properties(image_push_proxy PROPERTIES TIMEOUT 120)
add_test(NAME image_monitoring_metrics
  COMMAND ${IMAGE_DIR}/tests/check-monitoring ${CMAKE_SOURCE_DIR}/docs/monitoring.md
          ${IMAGE_DIR}/monitoring/grafana-dashboard.json ${IMAGE_DIR}/monitoring/kiosk-alerts.yml)

#pragma once
// The register's admin endpoint (issue 16), plain HTTP on loopback only, for operators and
// tests: queue signed commands for a kiosk, see their states and results, the kiosks heard
// from, and the diagnostic bundles kiosks uploaded.
//   POST /admin/kiosks/{id}/commands                   {"payload", "signature"} -> 201, the row
//   GET  /admin/kiosks/{id}/commands                   every command for the kiosk, oldest first
//   GET  /admin/kiosks                                 kiosk ids, last heartbeat, pending commands
//   GET  /admin/kiosks/{id}/diagnostics/{command_id}   the bundle as uploaded

#include <httplib.h>

#include "commands.h"
#include "store.h"

namespace dev_register {

// Everything passed must outlive the server.
void install_admin(httplib::Server& server, RequestStore& store, const OperatorKeys& keys);

}  // namespace dev_register

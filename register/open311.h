#pragma once
// The Open311 GeoReport v2 endpoints of the register.

#include <string>

#include <httplib.h>

#include "catalog.h"
#include "faults.h"
#include "store.h"

namespace dev_register {

// Installs the endpoints (each behind the fault switches), Open311-shaped errors and the
// request log on the server. The catalog, store and faults must outlive it; every submission
// and heartbeat must carry api_key.
void install_open311(httplib::Server& server, const Catalog& catalog, RequestStore& store,
                     const std::string& api_key, FaultInjector& faults);

}  // namespace dev_register

#pragma once
// The Open311 GeoReport v2 endpoints of the register.

#include <string>

#include <httplib.h>

#include "catalog.h"
#include "store.h"

namespace dev_register {

// Installs the endpoints, Open311-shaped errors and the request log on the server.
// The catalog and store must outlive it; every submission must carry api_key.
void install_open311(httplib::Server& server, const Catalog& catalog, RequestStore& store,
                     std::string api_key);

}  // namespace dev_register

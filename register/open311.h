#pragma once
// The Open311 GeoReport v2 endpoints of the register, in JSON and XML as the profile serves.

#include <string>

#include <httplib.h>

#include "catalog.h"
#include "faults.h"
#include "profile.h"
#include "store.h"

namespace dev_register {

struct Open311Settings {
    Profile profile;
    std::string api_key;       // every submission and heartbeat must carry it
    std::string jurisdiction;  // the one jurisdiction_id this register serves
    int token_polls = 1;       // "not yet" answers to a batch service's token before its number
    // Clients present certificates (--client-ca): a kiosk's CN must then be the {id} of every
    // kiosks/{id}/... path it calls.
    bool mutual_tls = false;
};

// Installs the endpoints (each behind the fault switches), Open311-shaped errors and the
// request log on the server. Everything passed must outlive it.
void install_open311(httplib::Server& server, const Catalog& catalog, RequestStore& store,
                     const Open311Settings& settings, FaultInjector& faults);

}  // namespace dev_register

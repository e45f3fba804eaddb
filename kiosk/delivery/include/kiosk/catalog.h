// kiosk/catalog: the register's list of state services, cached in the state folder so the
// service screen works when the register cannot be reached.
#pragma once
#include "kiosk/config.h"

#include <net/register_client.h>

#include <optional>

namespace kiosk {

// Writes the catalog atomically and privately (common::write_file_atomically), making the
// state folder 0700 if missing; false (and a warning in the journal) if it could not.
bool save_catalog(const Config& cfg, const std::vector<net::Service>& services);

// The cached catalog, or nullopt when there is none or it is unreadable.
std::optional<std::vector<net::Service>> load_catalog(const Config& cfg);

}  // namespace kiosk

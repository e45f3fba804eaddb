// kiosk/catalog: the register's list of state services and, for services with metadata, what
// each wants as attributes; cached in the state folder so the service screen works when the
// register cannot be reached.
#pragma once
#include "kiosk/config.h"

#include <net/register_client.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiosk {

struct ServiceCatalog {
    std::vector<net::Service> services;                         // as the register lists them
    std::map<std::string, net::ServiceDefinition> definitions;  // by code, metadata services
    std::map<std::string, std::string> unreadable;  // code -> why its definition was refused
};

struct CatalogResult {
    bool ok = false;
    ServiceCatalog catalog;
    std::string error;
    std::chrono::seconds retry_after{0};
};

// GET services, then GET services/{code} for every service with metadata. A definition the
// register refuses (404) marks that service unreadable; an unreachable one fails the whole
// fetch, so that a cached catalog stays. Blocking: off the UI thread.
CatalogResult fetch_catalog(const net::RegisterEndpoint& endpoint);

// A service's name and its provider's in a language ("kk", "ru", "en"): the register's own
// words in that language where it gives them, Russian otherwise.
std::string service_name(const net::Service& s, std::string_view language);
std::string provider_name(const net::Service& s, std::string_view language);

// The register's code for one of the kiosk's attributes (kComplaintAttributes): the name
// itself unless [register.attributes] maps it.
std::string attribute_code(const Config& cfg, std::string_view name);

// Why the kiosk cannot file for `service`, for staff and the journal; "" when it can. A
// service with metadata needs its definition, and every required attribute in it must be one
// the kiosk fills.
std::string why_not_offered(const ServiceCatalog& catalog, const net::Service& service,
                            const Config& cfg);
// The services a citizen is offered, in the register's order.
std::vector<net::Service> offered_services(const ServiceCatalog& catalog, const Config& cfg);
// The service with this code in a list; nullptr when there is none.
const net::Service* service_of(const std::vector<net::Service>& services, std::string_view code);
// The definition the register gave for a service; nullptr for a service without metadata.
const net::ServiceDefinition* definition_of(const ServiceCatalog& catalog,
                                            const std::string& service_code);

// Writes the catalog atomically and privately (common::write_file_atomically), making the
// state folder 0700 if missing; false (and a warning in the journal) if it could not.
bool save_catalog(const Config& cfg, const ServiceCatalog& catalog);

// The cached catalog, or nullopt when there is none or it is unreadable.
std::optional<ServiceCatalog> load_catalog(const Config& cfg);

}  // namespace kiosk

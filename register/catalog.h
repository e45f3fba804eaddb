#pragma once
// The Open311 service list the register accepts complaints for.

#include <map>
#include <string>

namespace dev_register {

struct Catalog {
    std::string json_text;                     // served as-is on GET /services.json
    std::map<std::string, std::string> names;  // service_code -> service_name
};

// Reads and validates the catalog; throws std::runtime_error naming the problem.
Catalog load_catalog(const std::string& path);

}  // namespace dev_register

#pragma once
// The Open311 service list the register accepts complaints for, and the service definitions
// (attributes) of the services whose `metadata` is true.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace dev_register {

using json = nlohmann::ordered_json;

// What POST requests answers for a service: by its `type` (realtime: the id, batch: a token,
// blackbox: only a notice) unless the catalog's "register_answer" says otherwise.
enum class Answer { Id, Token, IdAndToken, Notice };

// One attribute of a service definition, as GeoReport v2 describes it; `order` is its place.
struct AttributeDefinition {
    bool variable = true;  // false: information for the citizen, no input
    std::string code, datatype;
    bool required = false;
    std::string datatype_description;  // empty: none
    std::string description;
    std::vector<std::pair<std::string, std::string>> values;  // key, name; list datatypes only
};

struct Service {
    json code;  // as the catalog writes it: a string, or a number as in the spec's example
    Answer answer = Answer::Id;
    bool metadata = false;
    std::vector<AttributeDefinition> attributes;  // its definition, when metadata is true
};

struct Catalog {
    json list;                                 // served on GET services: the file without
    std::string json_text;                     // the register's own keys, and as JSON text
    std::map<std::string, std::string> names;  // service_code as text -> service_name
    std::map<std::string, Service> services;   // service_code as text -> the rest
};

// Reads and validates the catalog; throws std::runtime_error naming the problem.
Catalog load_catalog(const std::string& path);

// Valid UTF-8 is assumed; XML 1.0 also refuses C0 controls but \t \n \r, and U+FFFE/U+FFFF.
bool is_xml_text(std::string_view text);

// The catalog's key for the service's answer, removed from what is served.
inline constexpr const char* kAnswerKey = "register_answer";

}  // namespace dev_register

#pragma once
// Server profiles: how far the register behaves like this project's own register ("kiosk")
// or like a plain GeoReport v2 server ("stock"), so that kiosks are tested against both.

#include <optional>
#include <string>
#include <string_view>

namespace dev_register {

enum class Format { Json, Xml };

struct Profile {
    std::string name;
    bool honours_idempotency_key = true;  // a repeated key gets the first number, no new row
    bool requires_jurisdiction = false;   // jurisdiction_id on every call, else 400
    bool serves_json = true;
    bool serves_xml = true;
    bool heartbeats = true;             // POST kiosks/{id}/heartbeat.json, this project's extension
    bool enforces_definitions = false;  // required attributes and datatypes; others dropped
    bool plain_numbers = false;         // service_request_id 42 instead of ЖТ-2026-00000042
};

// "kiosk" (the default: this project's register) or "stock"; nullopt for any other name.
std::optional<Profile> profile_named(std::string_view name);

// Applies --formats ("json", "xml" or "json,xml"); false if the list is not one of those.
bool set_formats(Profile& profile, std::string_view formats);

// The format a path's extension asks for, if the profile serves it.
std::optional<Format> served_format(const Profile& profile, std::string_view extension);

// The format of an answer to `path` that cannot be served as asked (errors, unknown paths):
// the one its extension names if served, else the profile's first.
Format reply_format(const Profile& profile, std::string_view path);

}  // namespace dev_register

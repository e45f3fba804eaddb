#include "profile.h"

namespace dev_register {

std::optional<Profile> profile_named(std::string_view name) {
    if (name == "kiosk") return Profile{.name = "kiosk"};
    if (name == "stock")
        return Profile{.name = "stock",
                       .honours_idempotency_key = false,
                       .requires_jurisdiction = true,
                       .serves_json = false,
                       .serves_xml = true,
                       .heartbeats = false,
                       .enforces_definitions = true,
                       .plain_numbers = true};
    return std::nullopt;
}

bool set_formats(Profile& profile, std::string_view formats) {
    if (formats != "json" && formats != "xml" && formats != "json,xml") return false;
    profile.serves_json = formats != "xml";
    profile.serves_xml = formats != "json";
    return true;
}

std::optional<Format> served_format(const Profile& profile, std::string_view extension) {
    if (extension == "json" && profile.serves_json) return Format::Json;
    if (extension == "xml" && profile.serves_xml) return Format::Xml;
    return std::nullopt;
}

Format reply_format(const Profile& profile, std::string_view path) {
    const auto dot = path.rfind('.');
    if (dot != std::string_view::npos && path.find('/', dot) == std::string_view::npos) {
        if (const auto format = served_format(profile, path.substr(dot + 1))) return *format;
    }
    return profile.serves_json ? Format::Json : Format::Xml;
}

}  // namespace dev_register

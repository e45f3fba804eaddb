#include "form.h"

#include <common/utf8.h>

namespace dev_register {

// Section: percent-decoding

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> decode_component(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '+') {
            out += ' ';
        } else if (encoded[i] != '%') {
            out += encoded[i];
        } else {
            const int high = i + 1 < encoded.size() ? hex_digit(encoded[i + 1]) : -1;
            const int low = i + 2 < encoded.size() ? hex_digit(encoded[i + 2]) : -1;
            if (high < 0 || low < 0) return std::nullopt;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    return out;
}

std::optional<std::vector<FormField>> parse_form(std::string_view body) {
    std::vector<FormField> fields;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty()) continue;  // tolerate "a=1&&b=2" and a trailing '&'
        const auto eq = pair.find('=');
        auto name = decode_component(pair.substr(0, eq));
        auto value = decode_component(eq == std::string_view::npos ? std::string_view{}
                                                                   : pair.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        fields.push_back({std::move(*name), std::move(*value)});
    }
    return fields;
}

// Section: text rules

namespace {

bool is_control(char32_t cp) {
    if (cp == U'\n' || cp == U'\r' || cp == U'\t') return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);  // C0, DEL and C1
}

}  // namespace

bool is_clean_text(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto cp = common::decode_code_point(text, i);  // strict: no overlongs, surrogates
        if (!cp || is_control(cp->value) || cp->value == 0xFFFE || cp->value == 0xFFFF)
            return false;
        i += cp->bytes;
    }
    return true;
}

bool is_one_line(std::string_view text) {
    return is_clean_text(text) && text.find_first_of("\n\r\t") == std::string_view::npos;
}

}  // namespace dev_register

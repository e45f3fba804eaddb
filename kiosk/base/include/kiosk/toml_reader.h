// Reading a file in TOML (the configuration, the calendar, a region's procedure, the fleet's
// keys) so that every complaint about it names the file, the line and the key: a kiosk never
// starts on a half-read file.
#pragma once
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

namespace kiosk {

// The text of `file` as a table; a syntax error throws Error naming the file and its line.
template <class Error>
toml::table parse_toml(std::string_view text, const std::string& file) {
    try {
        return toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        const auto line = e.source().begin.line;
        throw Error(file + (line ? ":" + std::to_string(line) : "") + ": " +
                    std::string(e.description()));
    }
}

template <class Error>
class TomlReader {
public:
    explicit TomlReader(std::string file) : file_(std::move(file)) {}

    // The whole file; a syntax error names its line.
    toml::table parse() const {
        std::ifstream in(file_, std::ios::binary);
        if (!in) throw Error(file_ + ": cannot open");
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        return parse_toml<Error>(text, file_);
    }

    [[noreturn]] void fail(const toml::node* at, const std::string& key,
                           const std::string& why) const {
        std::ostringstream msg;
        msg << file_;
        if (at && at->source().begin.line > 0) msg << ':' << at->source().begin.line;
        msg << ": " << key << ": " << why;
        throw Error(msg.str());
    }

    // A misspelt key is an error, not a silently ignored setting.
    void only(const toml::table& t, const std::string& path,
              std::initializer_list<std::string_view> known) const {
        for (const auto& [key, node] : t)
            if (std::find(known.begin(), known.end(), key.str()) == known.end())
                fail(&node, join(path, key.str()), "unknown key");
    }

    const toml::node& need(const toml::table& t, const std::string& path,
                           std::string_view key) const {
        const toml::node* n = t.get(key);
        if (!n) fail(&t, join(path, key), "missing");
        return *n;
    }

    template <class T>
    T value(const toml::table& t, const std::string& path, std::string_view key,
            const char* what) const {
        const toml::node& n = need(t, path, key);
        const auto v = n.value_exact<T>();
        if (!v) fail(&n, join(path, key), std::string("must be ") + what);
        return *v;
    }

    const toml::array& array(const toml::table& t, const std::string& path,
                             std::string_view key) const {
        const toml::node& n = need(t, path, key);
        if (!n.is_array()) fail(&n, join(path, key), "must be an array");
        return *n.as_array();
    }

    const toml::table& table(const toml::node& n, const std::string& key) const {
        if (!n.is_table()) fail(&n, key, "must be a table");
        return *n.as_table();
    }

    static std::string join(const std::string& path, std::string_view key) {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

    static std::string item(const std::string& path, std::size_t i) {
        return path + "[" + std::to_string(i) + "]";
    }

private:
    std::string file_;
};

}  // namespace kiosk

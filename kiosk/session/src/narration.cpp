#include "kiosk/narration.h"

#include "kiosk/text.h"

#include <algorithm>
#include <utility>

namespace kiosk {
namespace {

// Section: words

// Parts of one description, in order, with commas between them: a voice pauses at each. A part
// that ends a sentence or introduces what follows ("Number:") keeps its own mark alone.
std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view p : parts) {
        if (p.empty()) continue;
        if (!out.empty())
            out +=
                std::string_view(".:;?!").find(out.back()) == std::string_view::npos ? ", " : " ";
        out += p;
    }
    return out;
}

// Line breaks in a typed text are pauses when spoken. A long number (an IIN, a phone) is said
// digit by digit, as a citizen checks it, not as "nine hundred billion...".
std::string spoken(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    const auto digits =
        std::count_if(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool number = digits >= 5 && std::all_of(s.begin(), s.end(), [](char c) {
                            return (c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-';
                        });
    if (!number) return s;
    std::string out;
    for (char c : s)
        if (c != ' ') out += out.empty() ? std::string(1, c) : std::string(" ") + c;
    return out;
}

// A date as a listener takes it in: "03.12.2026" said as "3 December 2026" (say.date with the
// month's name); anything that is not a date stays as it is.
std::string spoken_dates(std::string_view text, const Catalog& c) {
    const auto digits = [&](std::size_t at, std::size_t n) {
        for (std::size_t k = at; k < at + n; ++k)
            if (k >= text.size() || text[k] < '0' || text[k] > '9') return false;
        return true;
    };
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const bool date = (i == 0 || !digits(i - 1, 1)) && digits(i, 2) && i + 10 <= text.size() &&
                          text[i + 2] == '.' && digits(i + 3, 2) && text[i + 5] == '.' &&
                          digits(i + 6, 4) && !digits(i + 10, 1);
        const int day = date ? std::stoi(std::string(text.substr(i, 2))) : 0;
        const int month = date ? std::stoi(std::string(text.substr(i + 3, 2))) : 0;
        if (date && day >= 1 && day <= 31 && month >= 1 && month <= 12) {
            out += format(c.get("say.date"),
                          {std::to_string(day), c.get("say.month." + std::to_string(month)),
                           text.substr(i + 6, 4)});
            i += 10;
        } else {
            out += text[i++];
        }
    }
    return out;
}

// What a punctuation key or character is called; "" for letters and digits, said as they are.
const char* char_key(std::string_view c) {
    static constexpr std::pair<std::string_view, const char*> names[] = {
        {"-", "say.char.dash"},
        {",", "say.char.comma"},
        {".", "say.char.dot"},
        {"'", "say.char.apostrophe"},
        {"@", "say.char.at"},
        {"_", "say.char.underscore"},
        {"/", "say.char.slash"},
        {"?", "say.char.question"},
        {"!", "say.char.exclamation"},
        {"(", "say.char.open_bracket"},
        {")", "say.char.close_bracket"},
        {"«", "say.char.open_quote"},
        {"»", "say.char.close_quote"},
        {"\"", "say.char.quote"},
        {"№", "say.char.number"},
        {":", "say.char.colon"},
        {";", "say.char.semicolon"},
        {"%", "say.char.percent"},
        {"+", "say.char.plus"},
        {"=", "say.char.equals"},
        {" ", "say.char.space"},
        {"\n", "say.char.new_line"},
    };
    for (const auto& [ch, key] : names)
        if (c == ch) return key;
    return "";
}

bool is_key(const Item& i) { return i.id.starts_with("key:"); }

// The citizen types their own data where others may hear: nothing typed is named.
bool typing_overheard(const Flow& f) {
    return is_personal(f.focus) && !f.speech.private_listening();
}

// Keys that would tell a listener what is typed: the letters, and which alphabet or case is on.
bool tells_typing(const Item& key) {
    const Act a = key.intent.act;
    return is_key(key) && (a == Act::Type || a == Act::Shift || a == Act::KeyboardLetters ||
                           a == Act::KeyboardSymbols);
}

// The voice for a letter: its own alphabet's (an English voice cannot say "ә"); the session's
// for anything else.
std::string letter_language(std::string_view text, const std::string& session) {
    const auto cps = decode_utf8(text);
    if (!cps || cps->size() != 1 || !is_name_letter((*cps)[0])) return session;
    const char32_t cp = (*cps)[0];
    if (cp < 0x80) return "en";
    if (std::u32string_view(U"әғқңөұүһіӘҒҚҢӨҰҮҺІ").find(cp) != std::u32string_view::npos)
        return "kk";
    return session == "en" ? "ru" : session;
}

// Keys whose face is a mark ("ҚАЗ", "?!№") are said by what they do.
const char* spoken_key(std::string_view id) {
    static constexpr std::pair<std::string_view, const char*> names[] = {
        {"key:layout_kk", "say.key.layout_kk"}, {"key:layout_ru", "say.key.layout_ru"},
        {"key:layout_en", "say.key.layout_en"}, {"key:symbols", "say.key.symbols"},
        {"key:shift", "say.key.shift"},
    };
    for (const auto& [key, name] : names)
        if (id == key) return name;
    return "";
}

// Notices and headings: said when they appear on a screen already entered, so each is known
// by its id and words.
bool said_on_appearing(const Item& i) { return i.kind == Kind::Notice || i.kind == Kind::Heading; }
std::vector<std::string> appearing(const std::vector<const Item*>& order) {
    std::vector<std::string> out;
    for (const Item* i : order)
        if (said_on_appearing(*i)) out.push_back(i->id + i->label);
    return out;
}

const Item* error_summary(const ScreenContent& c) {
    for (const Item& i : c.banner)
        if (i.kind == Kind::ErrorSummary) return &i;
    return nullptr;
}

// The step of a flow's focused field, as the screen's items name it.
std::string focus_signature(const Flow& f) {
    return std::to_string(static_cast<int>(f.screen)) + ":" +
           std::to_string(static_cast<int>(f.focus)) + "#" + std::to_string(f.focus_official);
}

const Item* focused_field(const ScreenContent& c) {
    for (const Item& i : c.page)
        if (i.kind == Kind::Field && i.on) return &i;
    return nullptr;
}

}  // namespace

const std::string& Narrator::t(const Flow& f, std::string_view key) const {
    return tr_->in(f.language).get(key);
}

// Section: how an item is said

std::string Narrator::key_name(const Item& key, const Flow& f) const {
    if (const char* name = spoken_key(key.id); *name) return t(f, name);
    if (const char* name = char_key(key.label); *name) return t(f, name);
    // A capital letter is said as one, in the letter's own voice: the citizen hears what shift
    // did.
    const auto cps = decode_utf8(key.label);
    if (cps && cps->size() == 1 && is_name_letter((*cps)[0]) && to_upper((*cps)[0]) == (*cps)[0])
        return format(tr_->in(letter_language(key.label, f.language)).get("say.capital"),
                      {key.label});
    return key.label;
}

Phrase Narrator::describe(const Item& i, const Flow& f) const {
    const bool priv = f.speech.private_listening();
    // In a personal field on the loudspeaker, a key that tells what is typed is only "key".
    const bool hidden = tells_typing(i) && typing_overheard(f);
    const std::string lang = !i.language.empty()    ? i.language
                             : is_key(i) && !hidden ? letter_language(i.label, f.language)
                                                    : f.language;
    const Catalog& c = tr_->in(lang);
    auto w = [&](std::string_view key) -> const std::string& { return c.get(key); };
    auto value_of = [&](const std::string& value, bool personal) -> std::string {
        if (value.empty()) return w("say.empty");
        if (personal && !priv) return w("say.entered");
        return spoken(value);
    };
    auto rows = [&](const std::vector<Row>& rs) {
        std::string out;
        for (const Row& r : rs)
            out = join({out, r.label.empty() ? value_of(r.value, r.personal)
                                             : r.label + ": " + value_of(r.value, r.personal)});
        return out;
    };
    const std::string error = i.error.empty() ? "" : format(w("say.error"), {i.error});
    std::string text;
    switch (i.kind) {
    case Kind::Heading:
    case Kind::Progress: text = i.label; break;
    case Kind::Text: text = join({i.label, i.hint}); break;
    case Kind::Notice: text = join({i.label, rows(i.rows)}); break;
    case Kind::ErrorSummary: {
        text = i.label;
        for (const Item& e : i.entries) text = join({text, e.label});
        break;
    }
    case Kind::Field:
        text = join({i.label, w(i.lines > 1 ? "say.role.text_area" : "say.role.field"), error,
                     value_of(i.value, i.personal), i.required ? w("say.required") : "", i.hint});
        break;
    case Kind::Choice:
        // A language is said in its own words ("Русский"), not by its short mark ("РУС").
        text = join({i.language.empty() ? i.label : i.hint, i.language.empty() ? i.hint : "",
                     w("say.role.option"), w(i.on ? "say.selected" : "say.not_selected")});
        break;
    case Kind::Template:
        text = join({i.label, w("say.role.template"), i.on ? w("say.added") : ""});
        break;
    case Kind::Tile: text = join({i.label, i.hint, w("say.role.button")}); break;
    case Kind::Action:
        if (hidden)
            text = w("say.key.hidden");
        else if (i.intent.act == Act::Shift)
            text = join({key_name(i, f), w(i.on ? "say.on" : "say.off")});
        else if (is_key(i))
            text = join({key_name(i, f), i.on ? w("say.selected") : ""});
        else
            text = join({i.label, w("say.role.button"), i.on ? w("say.selected") : ""});
        break;
    case Kind::Card:
        text = join({i.label, rows(i.rows),
                     i.intent.act == Act::Change ? join({i.value, w("say.role.button")}) : ""});
        break;
    case Kind::Switch:
        text = join({i.label, w("say.role.switch"), error, w(i.on ? "say.on" : "say.off")});
        break;
    case Kind::Qr: text = join({i.label, w("say.role.qr")}); break;
    case Kind::SignaturePad:
        // Drawing needs sight: the keypad's way is said with it.
        text = join({i.label, w("say.role.signature"), error,
                     w(i.on ? "say.signed" : "say.not_signed"), i.on ? "" : w("say.sign.keypad")});
        break;
    case Kind::Panel: {
        // The number character by character: a citizen writes it down as it is said.
        std::string spelled;
        for (std::size_t at = 0; at < i.value.size();) {
            const std::size_t next = next_code_point(i.value, at);
            const std::string ch = i.value.substr(at, next - at);
            const char* name = char_key(ch);
            spelled = join({spelled, *name ? w(name) : ch});
            at = next;
        }
        text = join({i.label, i.hint, spelled});
        break;
    }
    case Kind::Countdown: text = format(w("say.seconds_left"), {i.value}); break;
    }
    return {spoken_dates(text, c), lang};
}

// Section: reading order

std::vector<const Item*> Narrator::reading_order(const ScreenContent& c) const {
    std::vector<const Item*> out;
    auto add = [&](const std::vector<Item>& items) {
        for (const Item& i : items) {
            out.push_back(&i);
            for (const Item& e : i.entries) out.push_back(&e);  // each leads somewhere
        }
    };
    if (!c.dialog.empty()) {  // modal: nothing behind it is there
        add(c.dialog);
        return out;
    }
    add(c.banner);
    add(c.page);
    add(c.footer);
    add(c.access);
    return out;
}

// The keypad on `item`, and its place in reading order (where the next goes if it goes away).
void Narrator::land(const std::vector<const Item*>& order, const Item& item) {
    focus_ = item.id;
    index_ = static_cast<std::size_t>(std::find(order.begin(), order.end(), &item) - order.begin());
}

const Item* Narrator::find(const ScreenContent& c, std::string_view id) const {
    if (typing_)
        for (const auto& row : c.keys)
            for (const Item& k : row)
                if (k.id == id) return &k;
    for (const Item* i : reading_order(c))
        if (i->id == id) return i;
    return nullptr;
}

// Section: what changes on the screen call for

void Narrator::reset() { *this = Narrator(*tr_); }

Utterance Narrator::enter_screen(const ScreenContent& c, const Flow& f) {
    Utterance out;
    typing_ = false;
    errors_.clear();
    activated_.clear();
    countdown_ = -1;
    // The keys are explained once, in the citizen's language: after they chose it.
    if (!introduced_ && f.screen != Screen::Attract) {
        out.push_back({t(f, "say.intro"), f.language});
        out.push_back(
            {t(f, f.speech.headset ? "say.private.headset" : "say.private.speaker"), f.language});
        introduced_ = true;
    }
    if (f.screen == Screen::Attract && !f.in_service()) {
        // The invitation in each language, each in its own voice, then the first language.
        for (auto lang : kLanguages)
            out.push_back({tr_->in(lang).get("say.attract"), std::string(lang)});
    }
    // The signature screen's title asks for a finger; said, it asks for the signature.
    const std::string title = f.screen == Screen::Signature ? t(f, "say.signature.title") : c.title;
    const std::string heading = join({title, c.step});
    if (!heading.empty() && c.dialog.empty()) out.push_back({heading, f.language});
    const auto order = reading_order(c);
    notices_ = appearing(order);
    // Said at once: a dialog's question, the error summary, the whole confirmation panel.
    for (const Item& i : c.dialog)
        if (i.kind != Kind::Action) out.push_back(describe(i, f));
    const Item* summary = error_summary(c);
    if (summary) {
        out.push_back(describe(*summary, f));
        errors_ = out.back().text;
    }
    if (f.screen == Screen::Done && c.dialog.empty()) {
        for (const Item& i : c.page)
            if (i.kind != Kind::Countdown && i.kind != Kind::Action) out.push_back(describe(i, f));
        out.push_back({t(f, "say.done.finish"), f.language});
    }
    // The keypad starts on the way on (a language, the dialog's answer), on the error summary,
    // or on the page's first item.
    const bool way_on = !c.dialog.empty() || f.screen == Screen::Attract;
    std::size_t page = 0;  // the banners and their entries come first in reading order
    if (c.dialog.empty())
        for (const Item& b : c.banner) page += 1 + b.entries.size();
    const Item* start = summary;
    for (std::size_t n = way_on ? 0 : page; !start && n < order.size(); ++n)
        if (!way_on || order[n]->kind == Kind::Action) start = order[n];
    focus_.clear();
    index_ = 0;
    if (!start) return out;
    land(order, *start);
    const bool said = start == summary || (f.screen == Screen::Done && start->kind != Kind::Action);
    if (!said) out.push_back(describe(*start, f));
    return out;
}

Utterance Narrator::update(const ScreenContent& c, const Flow& f) {
    if (!f.speech.on) {
        if (on_) reset();
        return {};
    }
    const bool turned_on = !std::exchange(on_, true);
    Utterance out;
    const std::string screen = std::to_string(static_cast<int>(f.screen)) + "|" + c.title;
    const bool dialog = !c.dialog.empty();
    const std::string field = focus_signature(f);
    if (turned_on || screen != screen_) {
        screen_ = screen;
        dialog_ = dialog;
        field_ = field;
        out = enter_screen(c, f);
    } else if (dialog != dialog_) {
        dialog_ = dialog;
        if (dialog) {
            before_dialog_ = focus_;
            const bool was_typing = typing_;
            out = enter_screen(c, f);
            typing_ = was_typing;
        } else {  // closed: back where the citizen was, and said so; nothing else is new
            focus_ = before_dialog_;
            notices_ = appearing(reading_order(c));
            const Item* summary = error_summary(c);
            errors_ = summary ? describe(*summary, f).text : "";
            if (const Item* i = find(c, focus_)) out.push_back(describe(*i, f));
        }
    } else {
        // The focused item went away (an official removed): the next one in its place.
        const auto order = reading_order(c);
        if (!order.empty() && !find(c, focus_)) {
            index_ = std::min(index_, order.size() - 1);
            focus_ = order[index_]->id;
            out.push_back(describe(*order[index_], f));
        }
        // The flow's field moved (Enter on the keyboard, a tap, an error's link): the keypad
        // follows it.
        if (field != field_) {
            field_ = field;
            if (const Item* i = focused_field(c); i && i->id != focus_) {
                land(order, *i);
                out.push_back(describe(*i, f));
            }
        }
        // Errors that appeared: the summary first, and the keypad on it.
        const Item* summary = error_summary(c);
        const std::string errors = summary ? describe(*summary, f).text : "";
        if (errors != errors_) {
            errors_ = errors;
            if (summary) {
                typing_ = false;
                land(order, *summary);
                out = {describe(*summary, f)};
            }
        }
        // New notices (an answer, a specialist called, a problem with the printer) and headings
        // (an official added): said as they appear; the keypad moves to a new heading.
        const std::vector<std::string> notices = appearing(order);
        for (const Item* i : order) {
            if (!said_on_appearing(*i) ||
                std::find(notices_.begin(), notices_.end(), i->id + i->label) != notices_.end())
                continue;
            out.push_back(describe(*i, f));
            if (i->kind == Kind::Heading) {
                typing_ = false;
                land(order, *i);
            }
        }
        notices_ = std::move(notices);
        // What Enter changed in place: a choice made, a switch turned.
        if (!activated_.empty()) {
            if (const Item* i = find(c, activated_)) {
                const Phrase now = describe(*i, f);
                if (now.text != activated_said_) out.push_back(now);
            }
            activated_.clear();
        }
        if (typing_) out_keyboard(c, f, out);
    }
    // The inactivity countdown: now and then, and each of the last seconds.
    for (const Item& i : c.dialog)
        if (i.kind == Kind::Countdown) {
            const int left = std::atoi(i.value.c_str());
            if (left != countdown_ && (left % 10 == 0 || left <= 5) && countdown_ != -1)
                out.push_back(describe(i, f));
            countdown_ = left;
        }
    if (!out.empty()) last_ = out;
    return out;
}

// The keyboard: gone, or the keypad's key no longer on it (digits instead of letters): on its
// first letter then; the first time, what typing is said before it.
void Narrator::out_keyboard(const ScreenContent& c, const Flow& f, Utterance& out) {
    if (c.keys.empty()) {
        typing_ = false;
        return;
    }
    const Item* k = find(c, key_);
    if (!k || !k->id.starts_with("key:")) {
        // The first letter, past the row of digits above the letters; on a keyboard of digits
        // alone (an IIN, a phone), the first digit.
        const auto& rows = c.keys;
        const auto letters = std::find_if(rows.begin(), rows.end(), [](const auto& row) {
            const auto cps = row.empty() ? std::nullopt : decode_utf8(row.front().label);
            return cps && cps->size() == 1 && is_name_letter((*cps)[0]);
        });
        k = &(letters == rows.end() ? rows.front() : *letters).front();
        key_ = k->id;
        if (typing_said_) out.push_back(describe(*k, f));
    }
    if (!typing_said_) {
        typing_said_ = true;
        const Item* field = find(c, focus_);
        // How the keyboard works is said the first time; then only which field it types in.
        const char* how =
            std::exchange(keyboard_explained_, true) ? "say.typing_short" : "say.typing";
        out.push_back({format(t(f, how), {field ? field->label : ""}), f.language});
        if (typing_overheard(f)) out.push_back({t(f, "say.private.typing"), f.language});
        out.push_back(describe(*k, f));
    }
}

// Section: keys

Narrator::Outcome Narrator::key(KeypadKey k, const ScreenContent& c, const Flow& f) {
    if (!f.speech.on) return {Intent{Act::Speech, 1}, {}};
    Outcome out;
    switch (k) {
    case KeypadKey::Up:
    case KeypadKey::Down:
    case KeypadKey::Left:
    case KeypadKey::Right: out = move_key(k, c, f); break;
    case KeypadKey::Enter: out = activate(c, f); break;
    case KeypadKey::Back: out = back(c, f); break;
    case KeypadKey::Help: out.say = help(c, f); break;
    case KeypadKey::Repeat: out.say = last_; break;
    case KeypadKey::Louder: {
        const bool last = f.speech.volume + 1 >= f.speech.volume_max;
        out = {Intent{Act::Volume, 1}, {{t(f, last ? "say.loudest" : "say.louder"), f.language}}};
        break;
    }
    case KeypadKey::Quieter: {
        const bool last = f.speech.volume - 1 <= f.speech.volume_min;
        out = {Intent{Act::Volume, -1},
               {{t(f, last ? "say.quietest" : "say.quieter"), f.language}}};
        break;
    }
    case KeypadKey::Rate: {
        const int next = f.speech.rate >= 2 ? -1 : f.speech.rate + 1;
        static constexpr const char* names[] = {"say.rate.slow", "say.rate.normal", "say.rate.fast",
                                                "say.rate.fastest"};
        out = {Intent{Act::Rate}, {{t(f, names[next + 1]), f.language}}};
        break;
    }
    }
    if (!out.say.empty() && k != KeypadKey::Repeat) last_ = out.say;
    return out;
}

Narrator::Outcome Narrator::move_key(KeypadKey k, const ScreenContent& c, const Flow& f) {
    if (!typing_)
        return {std::nullopt, move(k == KeypadKey::Up || k == KeypadKey::Left ? -1 : 1, c, f)};
    // On the keyboard: left and right along a row (on to the next row at its end), up and down
    // to the key at the same place in the next row.
    std::size_t r = 0, col = 0;
    for (std::size_t i = 0; i < c.keys.size(); ++i)
        for (std::size_t j = 0; j < c.keys[i].size(); ++j)
            if (c.keys[i][j].id == key_) r = i, col = j;
    const std::size_t rows = c.keys.size();
    if (k == KeypadKey::Left || k == KeypadKey::Right) {
        if (k == KeypadKey::Right && ++col >= c.keys[r].size()) col = 0, r = (r + 1) % rows;
        if (k == KeypadKey::Left) {
            if (col == 0) {
                r = (r + rows - 1) % rows;
                col = c.keys[r].size() - 1;
            } else {
                --col;
            }
        }
    } else {
        const std::size_t from = c.keys[r].size();
        r = (r + (k == KeypadKey::Down ? 1 : rows - 1)) % rows;
        col =
            std::min(c.keys[r].size() - 1, col * c.keys[r].size() / std::max<std::size_t>(from, 1));
    }
    key_ = c.keys[r][col].id;
    return {std::nullopt, {describe(c.keys[r][col], f)}};
}

Utterance Narrator::move(int by, const ScreenContent& c, const Flow& f) {
    const auto order = reading_order(c);
    if (order.empty()) return {{c.title, f.language}};
    auto at =
        std::find_if(order.begin(), order.end(), [&](const Item* i) { return i->id == focus_; });
    std::size_t i = at == order.end() ? std::min(index_, order.size() - 1)
                                      : static_cast<std::size_t>(at - order.begin());
    if (at != order.end()) {
        // At either end the keypad stays, and says where it is.
        if ((by < 0 && i == 0) || (by > 0 && i + 1 == order.size()))
            return {{t(f, by < 0 ? "say.top" : "say.bottom"), f.language}, describe(*order[i], f)};
        i += by;
    }
    index_ = i;
    focus_ = order[i]->id;
    return {describe(*order[i], f)};
}

Narrator::Outcome Narrator::activate(const ScreenContent& c, const Flow& f) {
    if (typing_) {
        const Item* k = find(c, key_);
        if (!k) return {};
        return {k->intent, pressed(*k, f)};
    }
    const Item* i = find(c, focus_);
    if (!i) return {std::nullopt, move(0, c, f)};
    switch (i->kind) {
    case Kind::Field:
        // Typing starts: said with the first key once the keyboard is there (next frame), the
        // keyboard's start, not where the last field's typing ended.
        typing_ = true;
        typing_said_ = false;
        key_.clear();
        field_ = std::to_string(static_cast<int>(f.screen)) + ":" + std::to_string(i->intent.arg) +
                 "#" + std::to_string(i->intent.arg2);
        return {i->intent, {}};
    case Kind::SignaturePad:  // drawing needs sight: the keypad signs instead
        return {Intent{Act::SignWithKeypad}, {{t(f, "say.signed_keypad"), f.language}}};
    case Kind::Heading:
    case Kind::Text:
    case Kind::Notice:
    case Kind::ErrorSummary:
    case Kind::Qr:
    case Kind::Panel:
    case Kind::Countdown:
    case Kind::Progress: return {std::nullopt, {describe(*i, f)}};  // nothing to do: said again
    default: break;
    }
    activated_ = i->id;
    activated_said_ = describe(*i, f).text;
    if (i->intent.act == Act::FocusError) field_.clear();  // to its field, even the focused one
    return {i->intent, {}};
}

Narrator::Outcome Narrator::back(const ScreenContent& c, const Flow& f) {
    if (typing_) {  // off the keyboard, back on its field
        typing_ = false;
        if (const Item* i = find(c, focus_)) return {std::nullopt, {describe(*i, f)}};
        return {};
    }
    // A dialog's way back is its first answer (keep going, I am still here).
    for (const Item& i : c.dialog)
        if (i.kind == Kind::Action) return {i.intent, {}};
    for (const char* id : {"nav.back", "nav.home", "nav.exit"})
        for (const Item& i : c.footer)
            if (i.id == id) return {i.intent, {}};
    return {std::nullopt, {{t(f, "say.no_back"), f.language}}};
}

Utterance Narrator::help(const ScreenContent& c, const Flow& f) const {
    Utterance out;
    if (typing_) {
        if (const Item* field = find(c, focus_)) {
            // While typing: what is typed so far, then how the keyboard works.
            out.push_back(describe(*field, f));
        }
        out.push_back({t(f, "say.help.keyboard"), f.language});
        return out;
    }
    const Item* i = find(c, focus_);
    if (!i) return {{t(f, "say.help.keys"), f.language}};
    out.push_back(describe(*i, f));
    const char* what = "say.help.text";
    switch (i->kind) {
    case Kind::Field: what = "say.help.field"; break;
    case Kind::Choice: what = "say.help.choice"; break;
    case Kind::Switch: what = "say.help.switch"; break;
    case Kind::Card: what = "say.help.card"; break;
    case Kind::SignaturePad: what = "say.help.signature"; break;
    case Kind::Tile:
    case Kind::Template:
    case Kind::Action: what = "say.help.button"; break;
    default: break;
    }
    out.push_back({t(f, what), f.language});
    out.push_back({t(f, "say.help.keys"), f.language});
    return out;
}

// Section: echo of keys

Utterance Narrator::pressed(const Item& key, const Flow& f) const {
    if (!f.speech.on) return {};
    if (key.intent.act == Act::Type) return typed(key.intent.text, f);
    // A key that switches something is said as it is after the press.
    Item after = key;
    if (key.intent.act == Act::Shift || key.intent.act == Act::KeyboardSymbols)
        after.on = !key.on;
    else if (key.intent.act == Act::KeyboardLetters)
        after.on = true;
    return {describe(after, f)};
}

Utterance Narrator::typed(std::string_view text, const Flow& f) const {
    if (!f.speech.on || text.empty()) return {};
    if (typing_overheard(f)) return {{t(f, "say.typed"), f.language}};
    if (const char* name = char_key(text); *name) return {{t(f, name), f.language}};
    Item as_key{.kind = Kind::Action, .id = "key:", .label = std::string(text)};
    return {{key_name(as_key, f), letter_language(text, f.language)}};
}

}  // namespace kiosk

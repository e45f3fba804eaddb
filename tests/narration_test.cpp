// What the kiosk says, and the keypad's way through it, without a display or a voice: every
// screen in every language is spoken in reading order with its errors, in translated words;
// the citizen's own data is said only in private; and a whole complaint is filed with keypad
// keys alone, against the real development register.
#include "sample_complaint.h"
#include "session_kiosk.h"

#include "kiosk/narration.h"
#include "kiosk/text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

using Kiosk = testsupport::SessionKiosk;

// What an utterance says, a phrase to a line.
std::string text_of(const Utterance& u) {
    std::string out;
    for (const Phrase& p : u) out += p.text + "\n";
    return out;
}

// A citizen with a keypad and a headset (or not): keys in, everything said kept.
struct Listener {
    Kiosk& k;
    Narrator n{k.tr};
    std::vector<Utterance> heard;

    explicit Listener(Kiosk& kiosk) : k(kiosk) { k.health.speech_state(true, ""); }
    ScreenContent content() const { return screen_content(k.s(), Clock::now()); }
    const Flow& flow() const { return k.s().flow(); }

    // The UI's frame: the session's results, then what the change calls for.
    Utterance frame() {
        k.s().poll(Clock::now());
        Utterance u = n.update(content(), flow());
        if (!u.empty()) heard.push_back(u);
        return u;
    }
    Utterance press(KeypadKey key) {
        const ScreenContent c = content();
        Narrator::Outcome out = n.key(key, c, flow());
        if (out.intent) k.s().act(*out.intent);
        if (!out.say.empty()) heard.push_back(out.say);
        Utterance next = frame();
        out.say.insert(out.say.end(), next.begin(), next.end());
        return out.say;
    }
    // Down (bounded) until the keypad is on the item.
    bool go_to(std::string_view id) {
        for (int i = 0; i < 120 && n.focus() != id; ++i) {
            const std::string before = n.focus();
            press(KeypadKey::Down);
            if (n.focus() == before) break;  // the end of the screen
        }
        if (n.focus() == id) return true;
        for (int i = 0; i < 120 && n.focus() != id; ++i) press(KeypadKey::Up);
        return n.focus() == id;
    }
    // Where a key is on the keyboard shown now, by its label.
    static std::optional<std::pair<std::size_t, std::size_t>> where(const ScreenContent& c,
                                                                    std::string_view id) {
        for (std::size_t r = 0; r < c.keys.size(); ++r)
            for (std::size_t col = 0; col < c.keys[r].size(); ++col)
                if (c.keys[r][col].id == id) return std::pair{r, col};
        return std::nullopt;
    }
    // To a key of the on-screen keyboard with the arrows, as someone listening would.
    bool key_to(std::string_view id) {
        for (int guard = 0; guard < 80; ++guard) {
            const ScreenContent c = content();
            const auto target = where(c, id), at = where(c, n.focus());
            if (!target || !at) return false;
            if (*target == *at) return true;
            if (target->first != at->first)
                press(target->first > at->first ? KeypadKey::Down : KeypadKey::Up);
            else
                press(target->second > at->second ? KeypadKey::Right : KeypadKey::Left);
        }
        return false;
    }
    // Types a text key by key on the on-screen keyboard, switching shift or the symbols when
    // a letter is not on the keys shown.
    void type(const std::string& text) {
        ASSERT_TRUE(n.typing());
        for (std::size_t at = 0; at < text.size();) {
            const std::size_t next = next_code_point(text, at);
            const std::string ch = text.substr(at, next - at);
            const std::string id = "key:" + (ch == " " ? std::string("space") : ch);
            at = next;
            // Not on the keys shown: shift or the symbols, on this layout or another alphabet's.
            for (const char* layout : {"", "key:layout_kk", "key:layout_ru", "key:layout_en"}) {
                if (where(content(), id)) break;
                if (*layout) {
                    if (!where(content(), layout)) continue;
                    ASSERT_TRUE(key_to(layout));
                    press(KeypadKey::Enter);
                }
                for (const char* other : {"key:shift", "key:symbols"}) {
                    if (where(content(), id) || !where(content(), other)) continue;
                    ASSERT_TRUE(key_to(other));
                    press(KeypadKey::Enter);
                    if (!where(content(), id)) press(KeypadKey::Enter);  // back as it was
                }
            }
            ASSERT_TRUE(key_to(id)) << "no key for " << ch;
            press(KeypadKey::Enter);
            if (flow().keyboard.symbols) {
                ASSERT_TRUE(key_to("key:symbols"));
                press(KeypadKey::Enter);
            }
        }
    }
    // Enter on a field, its text typed, and off the keyboard.
    void fill(std::string_view field_id, const std::string& text) {
        ASSERT_TRUE(go_to(field_id)) << field_id << " not on screen";
        press(KeypadKey::Enter);
        type(text);
        press(KeypadKey::Back);
        ASSERT_FALSE(n.typing());
    }
    // Down to the way on, and Enter: true when it led to `expected`.
    bool next(Screen expected) {
        if (!go_to("nav.next")) return false;
        press(KeypadKey::Enter);
        return flow().screen == expected;
    }
    // Every item of the screen as the keypad would say it, in reading order.
    std::string screen_said() const {
        std::string out;
        const ScreenContent c = content();
        for (const Item* i : n.reading_order(c)) out += n.describe(*i, flow()).text + "\n";
        return out;
    }
    std::string all_heard() const {
        std::string out;
        for (const Utterance& u : heard) out += text_of(u);
        return out;
    }
};

// A phrase said in words: not empty, no translation key ("say.role.field") in it, no comma
// doubling a sentence's own mark, and in `language` (any of the kiosk's when "").
void expect_words(const Utterance& u, const Translations& tr, std::string_view language = "") {
    for (const Phrase& p : u) {
        EXPECT_FALSE(p.text.empty());
        for (const auto& [key, words] : tr.catalogs.front().messages)
            EXPECT_EQ(p.text.find(key), std::string::npos) << p.text;
        for (const char* doubled : {":,", ";,", "?,", "!,"})  // ".," ends "қ.," too
            EXPECT_EQ(p.text.find(doubled), std::string::npos) << p.text;
        if (language.empty())
            EXPECT_TRUE(p.language == "kk" || p.language == "ru" || p.language == "en")
                << p.language;
        else
            EXPECT_EQ(p.language, language) << p.text;
    }
    for (const Catalog& c : tr.catalogs)
        EXPECT_TRUE(c.missing.empty()) << c.language << " lacks " << *c.missing.begin();
}

}  // namespace

// Any key turns speech on and does nothing else; on the attract screen the invitation is said
// in each language, each in its own voice, and the keypad is on the first language.
TEST(Narration, AnyKeyStartsSpeechAndTheInvitationIsSaidInEachLanguage) {
    Kiosk k;
    Listener l(k);
    EXPECT_TRUE(l.frame().empty());  // speech off: silent
    const Utterance said = l.press(KeypadKey::Down);
    EXPECT_TRUE(k.s().flow().speech.on);
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);
    std::vector<std::string> languages;
    for (const Phrase& p : said) languages.push_back(p.language);
    EXPECT_NE(std::find(languages.begin(), languages.end(), "ru"), languages.end());
    EXPECT_NE(std::find(languages.begin(), languages.end(), "en"), languages.end());
    EXPECT_EQ(l.n.focus(), "language:kk");
    expect_words(said, k.tr);
    // Down: Russian, said in Russian; Enter: the session goes on in Russian, keys explained.
    const Utterance ru = l.press(KeypadKey::Down);
    ASSERT_EQ(ru.size(), 1u);
    EXPECT_EQ(ru[0].language, "ru");
    EXPECT_NE(ru[0].text.find("Русский"), std::string::npos) << ru[0].text;
    const Utterance home = l.press(KeypadKey::Enter);
    EXPECT_EQ(k.s().flow().screen, Screen::Home);
    ASSERT_FALSE(home.empty());
    EXPECT_EQ(home[0].text, k.tr.in("ru").get("say.intro"));
    EXPECT_EQ(home.back().text.find(k.tr.in("ru").get("home.file")), 0u) << home.back().text;
}

// Speech turned on at the attract screen by someone who then walked away goes off again.
TEST(Narration, SpeechLeftOnAtTheAttractScreenGoesOff) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Down);
    ASSERT_TRUE(k.s().flow().speech.on);
    k.s().poll(Clock::now() + std::chrono::seconds(k.cfg.inactivity_warning_s));
    EXPECT_TRUE(k.s().flow().speech.on);  // not yet
    k.s().poll(Clock::now() +
               std::chrono::seconds(k.cfg.inactivity_warning_s + k.cfg.inactivity_reset_s + 1));
    EXPECT_FALSE(k.s().flow().speech.on);
    EXPECT_TRUE(l.frame().empty());
    EXPECT_EQ(l.n.focus(), "");
}

// Reading order as a sighted citizen reads the screen: the banners (each followed by what it
// leads to), the page, the footer's ways on, the bottom bar; a dialog alone while it is open.
std::vector<std::string> expected_reading_order(const ScreenContent& c) {
    std::vector<std::string> ids;
    const auto add = [&](const std::vector<Item>& items) {
        for (const Item& i : items) {
            ids.push_back(i.id);
            for (const Item& e : i.entries) ids.push_back(e.id);
        }
    };
    if (!c.dialog.empty()) {
        add(c.dialog);
        return ids;
    }
    for (const auto* part : {&c.banner, &c.page, &c.footer, &c.access}) add(*part);
    return ids;
}

// Every screen of the citizen's way, in every language: entering says the screen's title in
// the session's language, and stepping through says every item in reading order, each in
// translated words.
TEST(Narration, EveryScreenIsSpokenInReadingOrderInEveryLanguage) {
    for (auto lang : kLanguages) {
        Kiosk k;
        Listener l(k);
        l.press(KeypadKey::Enter);  // speech on
        k.act(Act::Start, 0, 0, std::string(lang));
        // `entered`: what entering the screen said; none for a screen walked again.
        auto walk = [&](std::optional<Utterance> entered) {
            const ScreenContent shown = l.content();
            if (entered) {
                ASSERT_FALSE(entered->empty()) << lang << " " << shown.title;
                expect_words(*entered, k.tr, lang);
                // The signature's is said as a signature, not as a finger's drawing.
                const std::string title = k.s().flow().screen == Screen::Signature
                                              ? k.tr.in(lang).get("say.signature.title")
                                              : shown.title;
                EXPECT_TRUE(std::any_of(entered->begin(), entered->end(), [&](const Phrase& p) {
                    return p.text.starts_with(title);
                })) << title;
            }
            // The catalog comes in the background: the service screen changes when it lands.
            ASSERT_TRUE(k.until([&] { return k.s().catalog().services.has_value(); }));
            l.frame();
            const ScreenContent c = l.content();
            const auto order = l.n.reading_order(c);
            ASSERT_FALSE(order.empty());
            std::vector<std::string> ids;
            for (const Item* i : order) ids.push_back(i->id);
            EXPECT_EQ(ids, expected_reading_order(c));
            // Up to the top, then down through everything: each item said as describe says it.
            for (std::size_t i = 0; i < order.size() + 2; ++i) l.press(KeypadKey::Up);
            EXPECT_EQ(l.n.focus(), order.front()->id);
            for (std::size_t i = 1; i < order.size(); ++i) {
                const Utterance u = l.press(KeypadKey::Down);
                ASSERT_EQ(l.n.focus(), order[i]->id) << lang;
                ASSERT_FALSE(u.empty());
                EXPECT_EQ(u.front(), l.n.describe(*order[i], k.s().flow()));
                // A language is said in its own words; everything else in the session's.
                expect_words(u, k.tr, order[i]->language.empty() ? lang : order[i]->language);
            }
            const Utterance end = l.press(KeypadKey::Down);
            EXPECT_EQ(end.front().text, k.tr.in(lang).get("say.bottom"));
        };
        walk(l.frame());
        for (Act a : {Act::HowAppealsWork, Act::CheckStatus, Act::CallSpecialist}) {
            k.act(a);
            walk(l.frame());
            k.act(Act::Home);
            l.frame();
        }
        k.fill(
            sample_complaint(), [&] { walk(l.frame()); }, std::string(lang));
        l.frame();
        walk(std::nullopt);  // the signature, signed
    }
}

// A refused Next, in each language: the error summary is said first, with every error on it,
// and the keypad is on it; Enter on an entry goes to its field, which says its own error.
TEST(Narration, ErrorsAreSaidFirstAndLeadToTheirFields) {
    for (const std::string_view language : kLanguages) {
        const std::string lang(language);
        Kiosk k;
        Listener l(k);
        l.press(KeypadKey::Enter);
        ASSERT_NO_FATAL_FAILURE(k.to_applicant(lang));
        l.frame();
        ASSERT_TRUE(l.go_to("nav.next"));
        const Utterance said = l.press(KeypadKey::Enter);
        const ScreenContent c = l.content();
        const auto summary = std::find_if(c.banner.begin(), c.banner.end(), [](const Item& i) {
            return i.kind == Kind::ErrorSummary;
        });
        ASSERT_NE(summary, c.banner.end());
        ASSERT_FALSE(said.empty());
        expect_words(said, k.tr, lang);
        EXPECT_EQ(said.front().text.find(k.tr.in(lang).get("error.summary")), 0u)
            << said.front().text;
        ASSERT_GE(summary->entries.size(), 2u);
        for (const Item& e : summary->entries)
            EXPECT_NE(said.front().text.find(e.label), std::string::npos) << e.label;
        EXPECT_EQ(l.n.focus(), "summary:errors");
        // Down to the first entry (the surname), Enter: the field, with its error in words.
        l.press(KeypadKey::Down);
        EXPECT_EQ(l.n.focus(), "error:0");
        const Utterance field = l.press(KeypadKey::Enter);
        EXPECT_EQ(l.n.focus(), "field.surname#0");
        ASSERT_FALSE(field.empty());
        EXPECT_NE(field.back().text.find(k.tr.in(lang).get("error.missing")), std::string::npos)
            << lang << ": " << field.back().text;
    }
}

// On the loudspeaker the citizen's data is "entered"; in a headset, or when they allow it
// aloud, it is said. Typed letters of a name are not echoed aloud either.
TEST(Narration, PersonalDataIsSpokenOnlyInPrivate) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Enter);
    Complaint sample = sample_complaint();
    k.fill(
        sample, [] {}, "kk");
    k.act(Act::Back);  // the review
    ASSERT_EQ(k.s().flow().screen, Screen::Review);
    l.frame();
    const std::string review = l.screen_said();
    for (const std::string* secret : {&sample.surname, &sample.iin, &sample.postal_address})
        EXPECT_EQ(review.find(*secret), std::string::npos) << *secret;
    EXPECT_NE(review.find(k.tr.in("kk").get("say.entered")), std::string::npos);
    EXPECT_NE(review.find(sample.grounds), std::string::npos);  // not personal: said
    k.act(Act::Focus, static_cast<int>(Field::Surname));
    EXPECT_EQ(l.n.typed("Ә", k.s().flow()).front().text, k.tr.in("kk").get("say.typed"));
    // Allowed aloud: said.
    k.act(Act::SpeakAloud);
    ASSERT_EQ(k.s().flow().screen, Screen::Review);
    const std::string aloud = l.screen_said();
    EXPECT_NE(aloud.find(sample.surname), std::string::npos);
    std::string iin_said;  // digit by digit
    for (char d : sample.iin)
        iin_said += iin_said.empty() ? std::string(1, d) : std::string(" ") + d;
    EXPECT_NE(aloud.find(iin_said), std::string::npos) << aloud;
    EXPECT_EQ(review.find(iin_said), std::string::npos);
    // A headset: said, with nothing to allow (the next citizen, in Russian).
    k.act(Act::Finish);
    k.act(Act::Speech, 1, 1);
    EXPECT_TRUE(k.s().flow().speech.private_listening());
    EXPECT_FALSE(k.s().flow().speech.aloud);
    k.fill(
        sample, [] {}, "ru");
    k.act(Act::Back);
    ASSERT_EQ(k.s().flow().screen, Screen::Review);
    l.frame();
    const std::string in_headset = l.screen_said();
    EXPECT_NE(in_headset.find(sample.surname), std::string::npos) << in_headset;
    EXPECT_NE(in_headset.find(iin_said), std::string::npos) << in_headset;
    EXPECT_EQ(in_headset.find(k.tr.in("ru").get("say.entered")), std::string::npos) << in_headset;
}

// On the loudspeaker the keys of a personal field are not named either (the key said before
// "typed" would be the letter typed), and the citizen hears why and what to do; allowed aloud,
// each key is named. A keyboard of digits starts on its first digit.
TEST(Narration, OnTheLoudspeakerTheKeyboardDoesNotGiveAwayWhatIsTyped) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Enter);  // speech on, no headset
    ASSERT_NO_FATAL_FAILURE(k.to_applicant("ru"));
    l.frame();
    const Catalog& ru = k.tr.in("ru");
    ASSERT_TRUE(l.go_to("field.iin#0"));
    const std::size_t from = l.heard.size();
    const Utterance typing = l.press(KeypadKey::Enter);
    EXPECT_EQ(l.n.focus(), "key:1");
    ASSERT_GE(typing.size(), 2u);
    EXPECT_EQ(typing[typing.size() - 2].text, ru.get("say.private.typing"));
    EXPECT_EQ(typing.back().text, ru.get("say.key.hidden"));
    l.type("900101300007");
    EXPECT_EQ(k.s().flow().complaint.iin, "900101300007");
    // Nothing heard while typing names a digit: keys are "key", presses "typed".
    for (std::size_t u = from; u < l.heard.size(); ++u)
        for (const Phrase& p : l.heard[u])
            EXPECT_TRUE(p.text == ru.get("say.key.hidden") || p.text == ru.get("say.typed") ||
                        p.text.find(ru.get("field.iin")) != std::string::npos ||
                        p.text == ru.get("say.private.typing"))
                << p.text;
    // Allowed aloud: the keys are named.
    l.press(KeypadKey::Back);
    k.act(Act::SpeakAloud);
    ASSERT_TRUE(l.go_to("field.surname#0"));
    const Utterance aloud = l.press(KeypadKey::Enter);
    ASSERT_FALSE(aloud.empty());
    const std::string first = l.n.focus();
    ASSERT_TRUE(first.starts_with("key:"));
    // The first letter, past the digits above the letters.
    const auto cps = decode_utf8(first.substr(4));
    ASSERT_TRUE(cps && cps->size() == 1 && is_name_letter((*cps)[0])) << first;
    EXPECT_NE(aloud.back().text, ru.get("say.key.hidden"));
    EXPECT_EQ(l.press(KeypadKey::Right).front().text.find(ru.get("say.key.hidden")),
              std::string::npos);
}

// Keys whose face is a mark are said by what they do, and a key that switches says what it
// switched to.
TEST(Narration, KeysThatSwitchAreSaidByWhatTheyDoAndWhatTheyTurnedTo) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Enter);
    ASSERT_NO_FATAL_FAILURE(k.to_applicant("en"));
    k.act(Act::SpeakAloud);
    l.frame();
    const Catalog& en = k.tr.in("en");
    ASSERT_TRUE(l.go_to("field.surname#0"));
    l.press(KeypadKey::Enter);
    const auto said_at = [&](const char* id) {  // as the arrow that reached it said it
        EXPECT_NE(l.n.focus(), id);
        EXPECT_TRUE(l.key_to(id)) << id;
        return l.heard.back().front().text;
    };
    EXPECT_EQ(said_at("key:layout_ru"), en.get("say.key.layout_ru"));
    EXPECT_EQ(said_at("key:symbols"), en.get("say.key.symbols"));
    EXPECT_EQ(said_at("key:shift"), en.get("say.key.shift") + ", " + en.get("say.off"));
    EXPECT_EQ(l.press(KeypadKey::Enter).front().text,
              en.get("say.key.shift") + ", " + en.get("say.on"));
    EXPECT_TRUE(k.s().flow().keyboard.shift);
    ASSERT_TRUE(l.key_to("key:layout_ru"));
    EXPECT_EQ(l.press(KeypadKey::Enter).front().text,
              en.get("say.key.layout_ru") + ", " + en.get("say.selected"));
    // A letter is said in its own alphabet's voice: an English voice cannot say "Ж".
    ASSERT_TRUE(l.key_to("key:Ж"));
    EXPECT_EQ(l.heard.back().front().language, "ru");
    EXPECT_EQ(l.heard.back().front().text, format(k.tr.in("ru").get("say.capital"), {"Ж"}));
    const Utterance typed = l.press(KeypadKey::Enter);
    ASSERT_FALSE(typed.empty());
    EXPECT_EQ(typed.front().language, "ru");
    ASSERT_TRUE(l.key_to("key:1"));
    EXPECT_EQ(l.heard.back().front().language, "en");  // a digit: the session's voice
}

// A date is said as a listener takes it in, in the session's language; a number that only
// looks like one is left alone.
TEST(Narration, DatesAreSaidWithTheMonthsName) {
    Kiosk k;
    Listener l(k);
    const std::map<std::string, std::string> said = {
        {"kk", "2026 жылғы 3 желтоқсан"}, {"ru", "3 декабря 2026 года"}, {"en", "3 December 2026"}};
    for (const auto& [lang, date] : said) {
        Flow f;
        f.language = lang;
        const Item filed{.kind = Kind::Text, .id = "t", .label = "03.12.2026; 10.12.2026"};
        EXPECT_EQ(l.n.describe(filed, f).text.find(date), 0u) << l.n.describe(filed, f).text;
        for (const char* not_a_date : {"1.2.2026", "03.13.2026", "103.12.2026", "03.12.20261"})
            EXPECT_EQ(l.n.describe({.kind = Kind::Text, .id = "t", .label = not_a_date}, f).text,
                      not_a_date);
    }
}

// Help says what the item is and what to do; dot repeats; the volume and rate keys change the
// session's settings and say so; Back with nowhere to go says that.
TEST(Narration, HelpRepeatVolumeAndRate) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Enter);
    k.act(Act::Start, 0, 0, "en");
    l.frame();
    const Utterance help = l.press(KeypadKey::Help);
    ASSERT_GE(help.size(), 2u);
    EXPECT_EQ(help[1].text, k.tr.in("en").get("say.help.button"));  // a tile is a button
    const Utterance again = l.press(KeypadKey::Repeat);
    EXPECT_EQ(again, help);
    // From the configured 80 %: two steps of 10 % up to 100 %, the last said as the loudest.
    ASSERT_EQ(k.cfg.speech_volume, 80);
    EXPECT_EQ(l.press(KeypadKey::Louder).front().text, k.tr.in("en").get("say.louder"));
    EXPECT_EQ(l.press(KeypadKey::Louder).front().text, k.tr.in("en").get("say.loudest"));
    EXPECT_EQ(l.press(KeypadKey::Louder).front().text, k.tr.in("en").get("say.loudest"));
    EXPECT_EQ(k.s().flow().speech.volume, 2);
    const Utterance rate = l.press(KeypadKey::Rate);
    EXPECT_EQ(rate.front().text, k.tr.in("en").get("say.rate.fast"));
    EXPECT_EQ(k.s().flow().speech.rate, 1);
    // Settings end with the session.
    k.act(Act::Finish);
    EXPECT_FALSE(k.s().flow().speech.on);
    EXPECT_EQ(k.s().flow().speech.volume, 0);
    EXPECT_TRUE(l.frame().empty());
}

// The inactivity warning is said with its countdown, and the last seconds one by one; Back
// (or Enter) answers "I am still here" and the keypad is where it was.
TEST(Narration, TheInactivityWarningAndItsCountdownAreSaid) {
    Kiosk k;
    Listener l(k);
    l.press(KeypadKey::Enter);
    k.act(Act::Start, 0, 0, "ru");
    l.frame();
    l.press(KeypadKey::Down);
    const std::string before = l.n.focus();
    // Nobody touched anything for the warning's time.
    k.s().act({Act::StillHere},
              Clock::now() - std::chrono::seconds(k.cfg.inactivity_warning_s + 1));
    const Utterance warning = l.frame();
    ASSERT_FALSE(warning.empty());
    EXPECT_EQ(warning.front().text, k.tr.in("ru").get("idle.title"));
    EXPECT_EQ(l.n.focus(), "idle.continue");
    const auto near_end = Clock::now() + std::chrono::seconds(k.cfg.inactivity_reset_s - 4);
    const Utterance left = l.n.update(screen_content(k.s(), near_end), k.s().flow());
    ASSERT_EQ(left.size(), 1u);
    EXPECT_NE(left.front().text.find("3"), std::string::npos) << left.front().text;
    const Utterance back = l.press(KeypadKey::Back);
    EXPECT_EQ(k.s().idle(Clock::now()).state, Idle::Active);
    EXPECT_EQ(l.n.focus(), before);
    ASSERT_EQ(back.size(), 1u);  // where the citizen is again, and nothing else
    const ScreenContent c = l.content();
    for (const Item* i : l.n.reading_order(c)) {
        if (i->id == before) {
            EXPECT_EQ(back.front(), l.n.describe(*i, k.s().flow()));
        }
    }
}

// A citizen who cannot see the screen, in each language: the kiosk's languages in the order the
// attract screen lists them, and whether they listen in headphones.
struct Listening {
    std::string language;
    bool headset = false;
};

class KeypadIn : public ::testing::TestWithParam<Listening> {
protected:
    // Speech on (by the headset, or by a key), then the session's language chosen with keys.
    void start(Kiosk& k, Listener& l) {
        const Listening& p = GetParam();
        if (p.headset) {
            k.act(Act::Speech, 1, 1);
            l.frame();
        } else {
            l.press(KeypadKey::Enter);
        }
        while (l.n.focus() != "language:" + p.language) {
            const std::string before = l.n.focus();
            l.press(KeypadKey::Down);
            ASSERT_NE(l.n.focus(), before) << "no language " << p.language;
        }
        l.press(KeypadKey::Enter);
        ASSERT_EQ(k.s().flow().screen, Screen::Home);
        ASSERT_EQ(k.s().flow().language, p.language);
    }
};

// A whole complaint with keypad keys only: every field typed on the on-screen keyboard moved
// through by arrows, a common ground chosen, signed with the keypad, sent; the done screen says
// the number character by character, where the talon comes out and how to finish. In
// headphones the citizen's details are said; on the loudspeaker they are not.
TEST_P(KeypadIn, AWholeComplaintIsFiledWithTheKeypadAlone) {
    const std::string lang = GetParam().language;
    Kiosk k;
    Listener l(k);
    using K = KeypadKey;
    ASSERT_NO_FATAL_FAILURE(start(k, l));
    l.press(K::Enter);  // the first tile: file a complaint
    ASSERT_EQ(k.s().flow().screen, Screen::Addressee);
    ASSERT_TRUE(l.go_to("addressee.provider_head"));
    l.press(K::Enter);
    ASSERT_TRUE(l.next(Screen::Service)) << l.all_heard();
    ASSERT_TRUE(k.until([&] { return k.s().catalog().services.has_value(); }));
    l.frame();
    ASSERT_TRUE(l.go_to("service:KZ-GU-001"));
    l.press(K::Enter);
    ASSERT_TRUE(l.next(Screen::Applicant)) << l.all_heard();
    l.fill("field.surname#0", "Әлиева");
    l.fill("field.first_name#0", "Гүл");
    l.fill("field.iin#0", "900101300007");
    l.fill("field.postal_address#0", "Көкшетау, Абай 83");
    ASSERT_TRUE(l.next(Screen::Officials)) << l.all_heard();
    l.fill("field.official_position#0", "Маман");
    l.fill("field.official_surname#0", "Омаров");
    l.fill("field.official_initials#0", "А.Б.");
    ASSERT_TRUE(l.next(Screen::Grounds)) << l.all_heard();
    ASSERT_TRUE(l.go_to("ground.deadline"));
    l.press(K::Enter);
    l.fill("field.demands#0", "Беріңіз");
    ASSERT_TRUE(l.next(Screen::Contact)) << l.all_heard();
    l.fill("field.phone#0", "87011234567");
    ASSERT_TRUE(l.next(Screen::Review)) << l.all_heard();
    ASSERT_TRUE(l.go_to("review.consent"));
    l.press(K::Enter);
    ASSERT_TRUE(l.next(Screen::Signature)) << l.all_heard();
    ASSERT_TRUE(l.go_to("signature:pad"));
    l.press(K::Enter);
    EXPECT_TRUE(k.s().flow().complaint.signed_with_keypad);
    ASSERT_TRUE(l.go_to("nav.next"));
    l.press(K::Enter);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::Done; }, 30s)) << l.all_heard();
    const Utterance done = l.frame();
    if (const char* out = std::getenv("NARRATION_TRANSCRIPT"))
        std::ofstream(std::string(out) + "." + lang + (GetParam().headset ? ".headset" : ""))
            << l.all_heard();
    const Complaint& c = k.s().flow().complaint;
    EXPECT_EQ(c.surname, "Әлиева");
    EXPECT_EQ(c.postal_address, "Көкшетау, Абай 83");
    ASSERT_EQ(c.officials.size(), 1u);
    EXPECT_EQ(c.officials[0].initials, "А.Б.");
    ASSERT_FALSE(done.empty());
    // The number character by character: "ЖТ-2026-..." said as "Ж, Т, dash, 2, 0, ...".
    const Catalog& words = k.tr.in(lang);
    const std::string& number = k.s().flow().registration_number;
    const std::string dash = words.get("say.char.dash");
    const std::string all = text_of(done);
    EXPECT_NE(all.find(number.substr(0, 2) == "ЖТ" ? "Ж, Т, " + dash : dash), std::string::npos)
        << all;
    EXPECT_NE(all.find(words.get("done.talon")), std::string::npos) << all;
    EXPECT_EQ(done.back().text, words.get("say.done.finish"));  // and how to finish
    expect_words(done, k.tr, lang);
    // The citizen's details: said in headphones (the field as it is left), never on the
    // loudspeaker.
    const std::string heard = l.all_heard();
    EXPECT_EQ(heard.find("Әлиева") != std::string::npos, GetParam().headset);
    EXPECT_EQ(heard.find("9 0 0 1 0 1 3 0 0 0 0 7") != std::string::npos, GetParam().headset);
    EXPECT_EQ(heard.find("Омаров") != std::string::npos, GetParam().headset);  // the official
    // Time to write the number down: the screen stays longer than for a citizen who sees it.
    EXPECT_GT(k.s().done_seconds_left(Clock::now()), Session::kDoneCloses.count());
    // And the register has it, as typed.
    const auto rows = k.reg.query("SELECT last_name, attributes FROM requests");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "Әлиева");
    EXPECT_NE(rows[0][1].find("keypad"), std::string::npos) << rows[0][1];
}

// A status checked and a specialist called with the keypad alone: the number typed on the
// keyboard (letters, a dash, digits), the register's answer said when it comes; the call said.
TEST_P(KeypadIn, AStatusIsCheckedAndASpecialistCalled) {
    Kiosk k;
    Listener l(k);
    using K = KeypadKey;
    const Catalog& words = k.tr.in(GetParam().language);
    ASSERT_NO_FATAL_FAILURE(start(k, l));
    ASSERT_TRUE(l.go_to("home.status"));
    l.press(K::Enter);
    ASSERT_EQ(k.s().flow().screen, Screen::Status);
    l.fill("field.status_number#0", "ЖТ-1999-42");
    EXPECT_EQ(k.s().flow().status_query, "ЖТ-1999-42");
    ASSERT_TRUE(l.go_to("status.check"));
    l.press(K::Enter);
    std::string answer;
    ASSERT_TRUE(k.until([&] {
        for (const Phrase& p : l.frame()) answer += p.text;
        return answer.find(words.get("status.not_found")) != std::string::npos;
    })) << l.all_heard();
    // Back home, then the specialist: the screen says they are told.
    l.press(K::Back);
    ASSERT_EQ(k.s().flow().screen, Screen::Home);
    ASSERT_TRUE(l.go_to("home.assistance"));
    const Utterance called = l.press(K::Enter);
    ASSERT_EQ(k.s().flow().screen, Screen::Assistance);
    const std::string said = text_of(called);
    EXPECT_NE(said.find(words.get("assistance.text")), std::string::npos) << said;
    expect_words(called, k.tr, GetParam().language);
}

INSTANTIATE_TEST_SUITE_P(Languages, KeypadIn,
                         ::testing::Values(Listening{"kk", false}, Listening{"ru", true},
                                           Listening{"en", true}, Listening{"kk", true}),
                         [](const auto& info) {
                             return info.param.language +
                                    (info.param.headset ? "_headset" : "_loudspeaker");
                         });

// The screens of the citizen's way through. Each draws the Flow and calls its intents.
#include "ui.h"

#include "kiosk/text.h"

#include <imgui.h>
#include <imgui_internal.h>   // ClearActiveID: a drag cancels the press under it

#include <algorithm>
#include <cmath>

namespace kiosk::ui {

// Section: building blocks

void title(App& app, std::string_view key) {
    ImGui::PushFont(app.fonts.title);
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted(app.t(key).c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::Spacing();
}

void paragraph(const std::string& text) {
    ImGui::PushTextWrapPos(0.f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
}

bool big_button(std::string_view id, const std::string& label, float width, float height) {
    const bool hit = ImGui::Button(label.c_str(), ImVec2(width, height));
    probe().item(id);
    return hit;
}

namespace {

constexpr float kPad = 24.f;
constexpr float kHeader = 110.f, kFooter = 130.f;
const ImVec4 kError = {0.62f, 0.0f, 0.0f, 1.0f};

// One of several choices: a wrapped label in a large frame with a round mark, filled when
// chosen (shape and words, not colour alone).
bool choice(std::string_view id, const std::string& label, bool chosen, float width) {
    const float wrap = width - 110.f;
    const ImVec2 text = ImGui::CalcTextSize(label.c_str(), nullptr, false, wrap);
    const float height = std::max(100.f, text.y + 44.f);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(label.c_str());
    const bool hit = ImGui::InvisibleButton("choice", ImVec2(width, height));
    ImGui::PopID();
    probe().item(id);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 fill = ImGui::GetColorU32(chosen || ImGui::IsItemActive() ? ImGuiCol_ButtonActive : ImGuiCol_Button);
    dl->AddRectFilled(pos, ImVec2(pos.x + width, pos.y + height), fill, 10.f);
    if (chosen) dl->AddRect(pos, ImVec2(pos.x + width, pos.y + height), IM_COL32(0, 60, 130, 255), 10.f, 0, 4.f);
    const ImVec2 mark(pos.x + 50.f, pos.y + height / 2);
    dl->AddCircle(mark, 22.f, IM_COL32(0, 0, 0, 255), 0, 3.f);
    if (chosen) dl->AddCircleFilled(mark, 13.f, IM_COL32(0, 0, 0, 255));
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(pos.x + 90.f, pos.y + (height - text.y) / 2),
                IM_COL32(0, 0, 0, 255), label.c_str(), nullptr, wrap);
    return hit;
}

// Errors carry a "(!)" mark and words, never colour alone.
void field_errors(App& app, Field f, int official = -1) {
    for (const auto& e : app.flow.errors_for(f, official)) {
        ImGui::PushStyleColor(ImGuiCol_Text, kError);
        paragraph("(!) " + app.t(error_key(e.problem)));
        ImGui::PopStyleColor();
    }
}

// A text field: its label, its value in a frame, a caret when the keyboard types into it.
// Touching it moves the keyboard there.
void text_field(App& app, Field f, const std::string& value, int official = 0, int lines = 1) {
    Flow& flow = app.flow;
    const bool focused = flow.focus == f && (flow.focus_official == official);
    ImGui::TextUnformatted(app.t(field_key(f)).c_str());
    const float width = ImGui::GetContentRegionAvail().x;
    const float height = lines * ImGui::GetTextLineHeightWithSpacing() + 28.f;
    ImGui::PushID(static_cast<int>(f) * 100 + official);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    if (ImGui::InvisibleButton("field", ImVec2(width, height))) flow.focus_on(f, official);
    probe().item(std::string(field_key(f)) + "#" + std::to_string(official));
    // The keyboard takes part of the screen: bring a newly focused field into view if it is not.
    if (focused && app.shown_focus != std::pair(f, official)) {
        const ImDrawList* clip = ImGui::GetWindowDrawList();
        if (ImGui::GetItemRectMin().y < clip->GetClipRectMin().y || ImGui::GetItemRectMax().y > clip->GetClipRectMax().y) {
            ImGui::SetScrollHereY(0.3f);
            app.unsettled = true;   // the scroll lands next frame
        }
        app.shown_focus = {f, official};
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const bool has_error = !flow.errors_for(f, official).empty();
    dl->AddRectFilled(pos, ImVec2(pos.x + width, pos.y + height), IM_COL32(255, 255, 255, 255), 8.f);
    dl->AddRect(pos, ImVec2(pos.x + width, pos.y + height),
                focused ? IM_COL32(0, 84, 166, 255) : has_error ? IM_COL32(158, 0, 0, 255) : IM_COL32(110, 110, 110, 255),
                8.f, 0, focused || has_error ? 5.f : 2.f);
    std::string shown = value;
    if (focused) shown += "|";
    dl->PushClipRect(pos, ImVec2(pos.x + width, pos.y + height), true);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(pos.x + 14.f, pos.y + 14.f),
                IM_COL32(0, 0, 0, 255), shown.c_str(), nullptr, width - 28.f);
    dl->PopClipRect();
    ImGui::PopID();
    field_errors(app, f, f == Field::OfficialPosition || f == Field::OfficialSurname || f == Field::OfficialInitials ? official : -1);
    ImGui::Spacing();
}

// The register's words in the citizen's language where it has them, Russian otherwise.
const std::string& in_language(const App& app, const std::string& ru, const std::string& kk, const std::string& en) {
    if (app.flow.language == "kk" && !kk.empty()) return kk;
    if (app.flow.language == "en" && !en.empty()) return en;
    return ru;
}

std::string service_name(const App& app, const net::Service& s) { return in_language(app, s.name, s.name_kk, s.name_en); }

// The service, and under it who provides it.
std::string service_and_provider(const App& app, const net::Service& s) {
    const std::string& provider = in_language(app, s.group, s.group_kk, s.group_en);
    return provider.empty() ? service_name(app, s) : service_name(app, s) + "\n" + provider;
}

// Section: screens

void attract(App& app) {
    const ImVec2 size = ImGui::GetContentRegionAvail();
    ImGui::Dummy(ImVec2(0, size.y * 0.25f));
    for (auto lang : kLanguages) {
        ImGui::PushFont(app.fonts.title);
        paragraph(app.tr.in(lang).get("attract.title"));
        ImGui::PopFont();
        paragraph(app.tr.in(lang).get("attract.touch"));
        ImGui::Spacing();
        ImGui::Spacing();
    }
    // Staff's hidden way in: five taps in the top-left corner. Submitted before the
    // whole-screen button so that it, not the start, takes a tap there.
    ImGui::SetCursorPos(ImVec2(0, 0));
    if (ImGui::InvisibleButton("service", ImVec2(120, 120))) app.flow.corner_tap(Clock::now());
    probe().item("corner:service");
    // The whole screen is the button.
    ImGui::SetCursorPos(ImVec2(0, 0));
    if (ImGui::InvisibleButton("start", ImGui::GetWindowSize())) app.flow.start();
    probe().item("attract");
}

void language(App& app) {
    title(app, "language.title");
    const float w = ImGui::GetContentRegionAvail().x;
    for (auto lang : kLanguages)
        if (big_button("language:" + std::string(lang), app.tr.in(lang).get("language.name"), w, 140.f))
            app.flow.choose_language(lang);
}

void home(App& app) {
    title(app, "home.title");
    const float w = ImGui::GetContentRegionAvail().x;
    static constexpr std::pair<const char*, void (Flow::*)()> choices[] = {
        {"home.file", &Flow::file_complaint}, {"home.status", &Flow::check_status},
        {"home.info", &Flow::how_appeals_work}, {"home.assistance", &Flow::call_specialist}};
    for (const auto& [key, intent] : choices) {
        if (big_button(key, app.t(key), w, 130.f)) (app.flow.*intent)();
        paragraph(app.t(std::string(key) + ".hint"));
        ImGui::Spacing();
    }
}

void info(App& app) {
    title(app, "info.title");
    paragraph(app.t("info.text"));
}

void assistance(App& app) {
    title(app, "assistance.title");
    paragraph(app.t("assistance.text"));
}

void status(App& app) {
    title(app, "status.title");
    paragraph(app.t("status.hint"));
    text_field(app, Field::StatusNumber, app.flow.status_query);
    if (big_button("status.check", app.t("status.check"), ImGui::GetContentRegionAvail().x, 100.f)) app.flow.look_up_status();
    ImGui::Spacing();
    if (app.status_pending.valid()) paragraph(app.t("status.looking"));
    for (const auto& line : app.status_lines) paragraph(format(app.t(line.key), {line.arg}));
}

// The egov.kz portal's address as a QR code: the citizen files there from their own phone.
void qr_code(const std::string& text, float size) {
    const std::vector<bool> modules = qr_modules(text);
    const int n = static_cast<int>(std::sqrt(static_cast<double>(modules.size())));
    if (n == 0) return;
    const float quiet = 4.f, cell = size / (n + 2 * quiet);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(pos, ImVec2(pos.x + size, pos.y + size), IM_COL32(255, 255, 255, 255));
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            if (modules[y * n + x]) {
                const ImVec2 a(pos.x + (quiet + x) * cell, pos.y + (quiet + y) * cell);
                dl->AddRectFilled(a, ImVec2(a.x + cell, a.y + cell), IM_COL32(0, 0, 0, 255));
            }
    ImGui::Dummy(ImVec2(size, size));
}

void addressee(App& app) {
    title(app, "addressee.title");
    const float w = ImGui::GetContentRegionAvail().x;
    static constexpr Addressee choices[] = {Addressee::ProviderHead, Addressee::Akim, Addressee::EgovPortal};
    for (Addressee a : choices) {
        const std::string key = "addressee." + std::string(addressee_code(a));
        if (choice(key, app.t(key), app.flow.complaint.addressee == a, w)) app.flow.choose_addressee(a);
        paragraph(app.t(key + ".hint"));
        ImGui::Spacing();
    }
    field_errors(app, Field::Addressee);
}

void egov_info(App& app) {
    title(app, "egov.title");
    paragraph(app.t("egov.text"));
    ImGui::Spacing();
    qr_code("https://egov.kz", 360.f);
    paragraph(app.t("egov.qr"));
}

void service(App& app) {
    title(app, "service.title");
    if (!app.services) {
        paragraph(app.t("service.loading"));
    } else if (!app.services->ok) {
        paragraph(app.t("service.unavailable"));
    } else {
        const float w = ImGui::GetContentRegionAvail().x;
        for (const auto& s : app.services->services) {
            if (choice("service:" + s.code, service_and_provider(app, s), app.flow.complaint.service_code == s.code, w))
                app.flow.choose_service(s.code);
        }
    }
    field_errors(app, Field::ServiceCode);
    ImGui::Spacing();
    text_field(app, Field::ServiceDate, app.flow.complaint.service_date);
    paragraph(app.t("hint.service_date"));
}

void applicant(App& app) {
    title(app, "applicant.title");
    const Complaint& c = app.flow.complaint;
    text_field(app, Field::Surname, c.surname);
    text_field(app, Field::FirstName, c.first_name);
    text_field(app, Field::Patronymic, c.patronymic);
    paragraph(app.t("hint.patronymic"));
    text_field(app, Field::Iin, c.iin);
    text_field(app, Field::PostalAddress, c.postal_address, 0, 2);
}

void officials(App& app) {
    title(app, "officials.title");
    paragraph(app.t("officials.hint"));
    auto& list = app.flow.complaint.officials;
    for (int i = 0; i < static_cast<int>(list.size()); ++i) {
        ImGui::Separator();
        ImGui::TextUnformatted(format(app.t("officials.number"), {std::to_string(i + 1)}).c_str());
        text_field(app, Field::OfficialPosition, list[i].position, i);
        text_field(app, Field::OfficialSurname, list[i].surname, i);
        text_field(app, Field::OfficialInitials, list[i].initials, i);
        if (list.size() > 1) {
            ImGui::PushID(i);
            const bool remove = ImGui::Button(app.t("officials.remove").c_str(), ImVec2(0, 80));
            probe().item("officials.remove#" + std::to_string(i));
            if (remove) app.flow.remove_official(i);
            ImGui::PopID();
            return;   // the list may have changed under us; draw the rest next frame
        }
    }
    field_errors(app, Field::Officials);
    if (list.size() < Limits::officials && big_button("officials.add", app.t("officials.add"), 0, 80))
        app.flow.add_official();
}

void grounds(App& app) {
    title(app, "grounds.title");
    paragraph(app.t("grounds.hint"));
    ImGui::TextDisabled("%s", app.t("grounds.common").c_str());
    static constexpr const char* common[] = {"ground.deadline", "ground.refusal", "ground.documents",
                                             "ground.conduct",  "ground.error",   "ground.fee"};
    const float w = ImGui::GetContentRegionAvail().x;
    for (const char* key : common)
        if (choice(key, app.t(key), false, w)) app.flow.add_ground(app.t(key));
    text_field(app, Field::Grounds, app.flow.complaint.grounds, 0, 4);
    text_field(app, Field::Demands, app.flow.complaint.demands, 0, 3);
}

void contact(App& app) {
    title(app, "contact.title");
    paragraph(app.t("contact.hint"));
    text_field(app, Field::Phone, app.flow.complaint.phone);
    text_field(app, Field::Email, app.flow.complaint.email);
    field_errors(app, Field::Contact);
}

void review_line(App& app, Field f, const std::string& value) {
    if (value.empty()) return;
    ImGui::TextDisabled("%s", app.t(field_key(f)).c_str());
    paragraph(value);
}

void review(App& app) {
    title(app, "review.title");
    const Complaint& c = app.flow.complaint;
    review_line(app, Field::Addressee, app.t("addressee." + std::string(addressee_code(c.addressee))));
    if (app.services && app.services->ok)
        for (const auto& s : app.services->services)
            if (s.code == c.service_code) review_line(app, Field::ServiceCode, service_and_provider(app, s));
    review_line(app, Field::ServiceDate, c.service_date);
    review_line(app, Field::Surname, c.surname);
    review_line(app, Field::FirstName, c.first_name);
    review_line(app, Field::Patronymic, c.patronymic);
    review_line(app, Field::Iin, c.iin);
    review_line(app, Field::PostalAddress, c.postal_address);
    for (const auto& o : c.officials) review_line(app, Field::Officials, o.position + ", " + o.surname + " " + o.initials);
    review_line(app, Field::Grounds, c.grounds);
    review_line(app, Field::Demands, c.demands);
    review_line(app, Field::Phone, normalized_phone(c.phone));
    review_line(app, Field::Email, c.email);
    ImGui::Separator();
    bool consent = c.consent;
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(20, 20));
    if (ImGui::Checkbox("##consent", &consent)) app.flow.set_consent(consent);
    probe().item("review.consent");
    ImGui::PopStyleVar();
    ImGui::SameLine();
    paragraph(app.t("review.consent"));
    field_errors(app, Field::Consent);
}

void signature(App& app) {
    title(app, "signature.title");
    const float w = ImGui::GetContentRegionAvail().x, h = w * 0.4f;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("pad", ImVec2(w, h));
    probe().item("signature:pad");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), IM_COL32(255, 255, 255, 255));
    dl->AddRect(pos, ImVec2(pos.x + w, pos.y + h), IM_COL32(80, 80, 80, 255), 0.f, 0, 3.f);
    dl->AddLine(ImVec2(pos.x + 40, pos.y + h * 0.75f), ImVec2(pos.x + w - 40, pos.y + h * 0.75f), IM_COL32(180, 180, 180, 255), 2.f);
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (ImGui::IsItemActive()) {
        const SignaturePoint p{(m.x - pos.x) / w, (m.y - pos.y) / h};
        // Points closer than half a percent add bytes, not shape.
        if (app.stroke.empty() || std::abs(p.x - app.stroke.back().x) + std::abs(p.y - app.stroke.back().y) > 0.005f)
            app.stroke.push_back(p);
    } else if (!app.stroke.empty()) {
        app.flow.add_signature_stroke(std::move(app.stroke));
        app.stroke.clear();
    }
    auto draw_stroke = [&](const SignatureStroke& s) {
        for (std::size_t i = 1; i < s.size(); ++i)
            dl->AddLine(ImVec2(pos.x + s[i - 1].x * w, pos.y + s[i - 1].y * h),
                        ImVec2(pos.x + s[i].x * w, pos.y + s[i].y * h), IM_COL32(0, 0, 90, 255), 4.f);
    };
    for (const auto& s : app.flow.complaint.signature) draw_stroke(s);
    draw_stroke(app.stroke);
    if (big_button("signature.clear", app.t("signature.clear"), 0, 80)) app.flow.clear_signature();
    field_errors(app, Field::Signature);
}

void submitting(App& app) {
    title(app, "submitting.title");
    paragraph(app.t("submitting.text"));
    // A moving mark so the citizen sees the kiosk is working, not frozen.
    const int dots = static_cast<int>(ImGui::GetTime() * 2) % 4;
    ImGui::TextUnformatted(std::string(dots + 1, '.').c_str());
}

void done(App& app) {
    title(app, "done.title");
    paragraph(app.t(app.flow.offline ? "done.local_number" : "done.number"));
    ImGui::PushFont(app.fonts.huge);
    paragraph(app.flow.registration_number);
    ImGui::PopFont();
    if (app.flow.offline) paragraph(app.t("done.offline"));
    // No talon came out: the number on screen is the proof for now, said in words and marked.
    if (!app.print_problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kError);
        paragraph("(!) " + app.t(app.print_problem));
        ImGui::PopStyleColor();
        paragraph(app.t("print.keep_number"));
    } else {
        paragraph(app.t("done.talon"));
    }
    ImGui::Spacing();
    if (big_button("done.finish", app.t("done.finish"), ImGui::GetContentRegionAvail().x)) app.flow.finish();
}

void failed(App& app) {
    title(app, "failed.title");
    paragraph(app.t(app.flow.failure));
    ImGui::Spacing();
    const float w = ImGui::GetContentRegionAvail().x;
    if (big_button("failed.retry", app.t("failed.retry"), w)) app.flow.retry();
    if (big_button("done.finish", app.t("done.finish"), w)) app.flow.finish();
}

// Section: frame: header with step and language, content, keyboard, back/next

// The keyboard shows while a text field of this screen has the focus.
bool has_keyboard(Flow& f) {
    const auto fields = fields_of(f.screen);
    return f.focused_text() && std::find(fields.begin(), fields.end(), f.focus) != fields.end();
}

// Top: accessibility toggles (their state in words: [x] / [ ]) and the language buttons; below
// them, during the filing, the step and a progress bar.
void header(App& app) {
    Flow& f = app.flow;
    for (auto [key, on] : {std::pair{"access.large_text", &f.large_text}, std::pair{"access.contrast", &f.high_contrast}}) {
        if (big_button(key, std::string(*on ? "[x] " : "[ ] ") + app.t(key), 0, 70)) *on = !*on;
        ImGui::SameLine();
    }
    const float lang_w = 130.f;
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowWidth() - 3 * (lang_w + 8) - kPad));
    for (auto lang : kLanguages) {
        const bool current = f.language == lang;
        if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (big_button("header.language:" + std::string(lang), app.tr.in(lang).get("language.short"), lang_w, 70))
            f.choose_language(lang);
        if (current) ImGui::PopStyleColor();
        ImGui::SameLine();
    }
    ImGui::NewLine();
    if (f.step() > 0) {
        ImGui::TextUnformatted(format(app.t("nav.step"), {std::to_string(f.step()), std::to_string(Flow::step_count())}).c_str());
        ImGui::SameLine();
        ImGui::ProgressBar(static_cast<float>(f.step()) / Flow::step_count(), ImVec2(-1, 14), "");
    }
}

void footer(App& app, std::chrono::sys_days today) {
    Flow& f = app.flow;
    const float w = (ImGui::GetContentRegionAvail().x - 16) / 2;
    const bool can_go_back = f.step() > 0 || f.screen == Screen::EgovInfo || f.screen == Screen::Language ||
                             f.screen == Screen::Home;
    if (f.in_service()) return service_footer(app, w);
    const bool beside_home = f.screen == Screen::Info || f.screen == Screen::Assistance || f.screen == Screen::Status;
    if (can_go_back && big_button("nav.back", "< " + app.t("nav.back"), w)) f.back();
    if (beside_home && big_button("nav.home", "< " + app.t("nav.home"), w)) f.go_home();
    if (f.step() > 0) {
        ImGui::SameLine(w + 16 + ImGui::GetStyle().WindowPadding.x);
        const bool last = f.screen == Screen::Signature;
        if (big_button("nav.next", app.t(last ? "nav.submit" : "nav.next") + " >", w)) f.next(today);
    } else if (f.screen == Screen::EgovInfo) {
        ImGui::SameLine(w + 16 + ImGui::GetStyle().WindowPadding.x);
        if (big_button("done.finish", app.t("done.finish"), w)) f.finish();
    }
}

void content(App& app) {
    switch (app.flow.screen) {
    case Screen::Attract: return attract(app);
    case Screen::Language: return language(app);
    case Screen::Home: return home(app);
    case Screen::Info: return info(app);
    case Screen::Assistance: return assistance(app);
    case Screen::Status: return status(app);
    case Screen::Addressee: return addressee(app);
    case Screen::EgovInfo: return egov_info(app);
    case Screen::Service: return service(app);
    case Screen::Applicant: return applicant(app);
    case Screen::Officials: return officials(app);
    case Screen::Grounds: return grounds(app);
    case Screen::Contact: return contact(app);
    case Screen::Review: return review(app);
    case Screen::Signature: return signature(app);
    case Screen::Submitting: return submitting(app);
    case Screen::Done: return done(app);
    case Screen::Failed: return failed(app);
    case Screen::ServiceLogin: return service_login(app);
    case Screen::ServiceHome: return service_home(app);
    case Screen::ServiceReprint: return service_reprint(app);
    case Screen::ServiceLog: return service_log(app);
    }
}

void idle_warning(App& app, const Idle& idle) {
    if (idle.state != Idle::Warning) return;
    ImGui::OpenPopup("idle");
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(size.x / 2, size.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(size.x * 0.8f, 0));
    if (ImGui::BeginPopupModal("idle", nullptr, ImGuiWindowFlags_NoDecoration)) {
        title(app, "idle.title");
        paragraph(format(app.t("idle.countdown"), {std::to_string(idle.seconds_left)}));
        // Any touch counts as activity; the button just gives it an obvious place.
        if (big_button("idle.continue", app.t("idle.continue"), ImGui::GetContentRegionAvail().x)) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

}  // namespace

void draw(App& app, std::chrono::sys_days today, const Idle& idle) {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(size);
    constexpr ImGuiWindowFlags full = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("kiosk", nullptr, full);
    const bool attract_screen = app.flow.screen == Screen::Attract;
    if (!attract_screen) header(app);
    const float footer_h = attract_screen ? 0.f : kFooter;
    // Landscape puts the keyboard beside the page rather than under it: the page keeps its height.
    const bool keyboard = has_keyboard(app.flow), beside = keyboard && size.x > size.y;
    const float keyboard_w = beside ? size.x * 0.5f : size.x;
    const float below = keyboard && !beside ? keyboard_height(keyboard_w) : 0.f;
    ImGui::BeginChild("content", ImVec2(beside ? size.x - keyboard_w : 0.f, -(below + footer_h)), false);
    // Touch scrolling: a finger that moves more than a tap would moves the page, even when it
    // landed on a button (which then is not pressed). The signature pad keeps its strokes.
    if (app.flow.screen != Screen::Signature &&
        ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem | ImGuiHoveredFlags_ChildWindows) &&
        ImGui::IsMouseDragging(ImGuiMouseButton_Left, 16.f)) {
        ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
        ImGui::ClearActiveID();
    }
    content(app);
    ImGui::EndChild();
    if (beside) {
        ImGui::SameLine();
        ImGui::BeginChild("keyboard", ImVec2(0, -footer_h), false, ImGuiWindowFlags_NoScrollbar);
        ImGui::SetCursorPosY(std::max(0.f, ImGui::GetWindowHeight() - keyboard_height(keyboard_w)));
        draw_keyboard(app, ImGui::GetContentRegionAvail().x);
        ImGui::EndChild();
    } else if (keyboard) {
        draw_keyboard(app, size.x);
    }
    if (!attract_screen) {
        ImGui::SetCursorPosY(size.y - kFooter);
        footer(app, today);
    }
    idle_warning(app, idle);
    ImGui::End();
}

}  // namespace kiosk::ui

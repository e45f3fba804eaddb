// The probe: an accessibility-tree-like list of touch targets, written only when asked for.
#include "ui.h"

#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <imgui.h>
#include <imgui_internal.h>  // ScrollToItem

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace kiosk::ui {

Probe& probe() {
    static Probe p{std::getenv("KIOSK_UI_PROBE") ? std::getenv("KIOSK_UI_PROBE") : ""};
    return p;
}

// Only the part of the item that is really on screen: a control scrolled under the header is
// not there for a finger, and neither is it for a test.
void Probe::item(std::string_view id) {
    if (!ring.empty() && id == ring) find_ring();
    if (path.empty()) return;
    const ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 clip_a = dl->GetClipRectMin(), clip_b = dl->GetClipRectMax();
    const ImVec2 a(std::max(ImGui::GetItemRectMin().x, clip_a.x),
                   std::max(ImGui::GetItemRectMin().y, clip_a.y));
    const ImVec2 b(std::min(ImGui::GetItemRectMax().x, clip_b.x),
                   std::min(ImGui::GetItemRectMax().y, clip_b.y));
    if (b.x - a.x < 8.f || b.y - a.y < 8.f) return;
    char rect[64];
    std::snprintf(rect, sizeof rect, " %d %d %d %d\n", static_cast<int>(a.x), static_cast<int>(a.y),
                  static_cast<int>(b.x - a.x), static_cast<int>(b.y - a.y));
    frame.append(id).append(rect);
}

// The keypad's item: where it was drawn, to be ringed once everything is drawn (items paint
// their backgrounds after they are laid out), and brought into view when the keypad moves to it.
void Probe::find_ring() {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ring_list = dl;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const ImVec2 ca = dl->GetClipRectMin(), cb = dl->GetClipRectMax();
    ring_at = {a.x, a.y, b.x, b.y};
    ring_clip = {ca.x, ca.y, cb.x, cb.y};
    if (ring != ringed) {
        ImGui::ScrollToItem(ImGuiScrollFlags_KeepVisibleEdgeY);
        ringed = ring;
    }
}

// Yellow inside black, visible on every background of both palettes; just inside the item, as
// outside it a page's edge would cut it.
void Probe::draw_ring() {
    if (!ring_list) return;
    const auto [ax, ay, bx, by] = ring_at;
    ring_list->PushClipRect(ImVec2(ring_clip[0], ring_clip[1]), ImVec2(ring_clip[2], ring_clip[3]));
    ring_list->AddRect(ImVec2(ax + 2, ay + 2), ImVec2(bx - 2, by - 2), IM_COL32(0, 0, 0, 255), 8.f,
                       0, 4.f);
    ring_list->AddRect(ImVec2(ax + 6, ay + 6), ImVec2(bx - 6, by - 6), IM_COL32(255, 221, 0, 255),
                       6.f, 0, 5.f);
    ring_list->PopClipRect();
    ring_list = nullptr;
}

// Written whole and renamed, so a reader never sees half a frame; not synced, as it is
// rewritten every frame and worthless after a reboot. The header changes with every frame, so
// a test can tell that a tap was seen and drawn.
void Probe::end_frame() {
    if (path.empty()) return;
    ++frames;
    frame.insert(0, "frame " + std::to_string(frames) + " taps " + std::to_string(taps) + " at " +
                        std::to_string(tap_frame) + "\n" + "keypad " + ring + "\n");
    if (frame != last_written) {
        const auto written =
            common::write_file_atomically(path, frame, common::Durability::readers_only);
        static bool warned = false;  // once: a test waiting on the probe fails on its own
        if (!written.ok() && !std::exchange(warned, true))
            log(Priority::Warning, "probe", "%s", written.message.c_str());
        last_written = frame;
    }
    frame.clear();
}

}  // namespace kiosk::ui

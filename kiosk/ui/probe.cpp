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
    if (!ring.empty() && id == ring) draw_ring();
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

// The keypad's item, ringed for a citizen who sees a little (and for whoever helps them):
// yellow inside black, visible on every background of both palettes, and brought into view
// when the keypad moves to it.
void Probe::draw_ring() {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRect(ImVec2(a.x - 9, a.y - 9), ImVec2(b.x + 9, b.y + 9), IM_COL32(0, 0, 0, 255), 8.f, 0,
                4.f);
    dl->AddRect(ImVec2(a.x - 5, a.y - 5), ImVec2(b.x + 5, b.y + 5), IM_COL32(255, 221, 0, 255), 6.f,
                0, 5.f);
    if (ring != ringed) {
        ImGui::ScrollToItem(ImGuiScrollFlags_KeepVisibleEdgeY);
        ringed = ring;
    }
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

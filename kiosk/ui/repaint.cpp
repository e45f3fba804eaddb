#include "repaint.h"

#include <SDL.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace kiosk::ui {
namespace {

constexpr int kTile = 32;

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h;
}

std::uint64_t bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

std::uint64_t vertex_hash(const ImDrawVert& v) {
    return mix(mix(mix(mix(bits(v.pos.x), bits(v.pos.y)), bits(v.uv.x)), bits(v.uv.y)), v.col);
}

}  // namespace

Repaint::Repaint(SDL_Renderer* renderer) : renderer_(renderer) {
    SDL_RendererInfo info{};
    // Only the software renderer draws into a framebuffer that keeps its pixels between frames.
    keeps_pixels_ = SDL_GetRendererInfo(renderer, &info) == 0 && info.name &&
                    std::strcmp(info.name, "software") == 0;
}

// Section: what changed

void Repaint::hash_tiles(const ImDrawData& frame) {
    width_ = static_cast<int>(frame.DisplaySize.x);
    height_ = static_cast<int>(frame.DisplaySize.y);
    const int columns = (width_ + kTile - 1) / kTile, rows = (height_ + kTile - 1) / kTile;
    if (columns != columns_ || rows != rows_) everything_ = true;
    columns_ = columns, rows_ = rows;
    tiles_.assign(static_cast<std::size_t>(columns_) * rows_, 0);
    for (int n = 0; n < frame.CmdListsCount; ++n) {
        const ImDrawList& list = *frame.CmdLists[n];
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
            const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
            const std::uint64_t where =
                mix(mix(mix(mix(bits(cmd.ClipRect.x), bits(cmd.ClipRect.y)), bits(cmd.ClipRect.z)),
                        bits(cmd.ClipRect.w)),
                    reinterpret_cast<std::uintptr_t>(cmd.GetTexID()));
            for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
                const ImDrawVert &a = vtx[idx[i]], &b = vtx[idx[i + 1]], &c = vtx[idx[i + 2]];
                const float x0 = std::max(std::min({a.pos.x, b.pos.x, c.pos.x}), cmd.ClipRect.x);
                const float y0 = std::max(std::min({a.pos.y, b.pos.y, c.pos.y}), cmd.ClipRect.y);
                const float x1 = std::min(std::max({a.pos.x, b.pos.x, c.pos.x}), cmd.ClipRect.z);
                const float y1 = std::min(std::max({a.pos.y, b.pos.y, c.pos.y}), cmd.ClipRect.w);
                if (x1 <= x0 || y1 <= y0) continue;
                const std::uint64_t h =
                    mix(mix(mix(where, vertex_hash(a)), vertex_hash(b)), vertex_hash(c));
                const int tx0 = std::clamp(static_cast<int>(x0) / kTile, 0, columns_ - 1);
                const int tx1 =
                    std::clamp(static_cast<int>(std::ceil(x1)) / kTile, 0, columns_ - 1);
                const int ty0 = std::clamp(static_cast<int>(y0) / kTile, 0, rows_ - 1);
                const int ty1 = std::clamp(static_cast<int>(std::ceil(y1)) / kTile, 0, rows_ - 1);
                for (int ty = ty0; ty <= ty1; ++ty)
                    for (int tx = tx0; tx <= tx1; ++tx) {
                        std::uint64_t& t = tiles_[static_cast<std::size_t>(ty) * columns_ + tx];
                        t = mix(t, h);  // in drawing order: what is drawn over what counts too
                    }
            }
        }
    }
}

// Rows of tiles with a change, grouped into bands of neighbouring rows; each band spans the
// changed columns of its rows. A key press and its field are two small bands.
std::vector<Repaint::Rect> Repaint::changed_bands() const {
    std::vector<Rect> bands;
    int first = -1, left = columns_, right = -1;
    for (int ty = 0; ty <= rows_; ++ty) {
        int l = columns_, r = -1;
        if (ty < rows_)
            for (int tx = 0; tx < columns_; ++tx) {
                const std::size_t at = static_cast<std::size_t>(ty) * columns_ + tx;
                if (tiles_[at] != previous_[at]) l = std::min(l, tx), r = std::max(r, tx);
            }
        if (r >= 0) {
            if (first < 0) first = ty;
            left = std::min(left, l), right = std::max(right, r);
            continue;
        }
        if (first >= 0)
            bands.push_back(
                {left * kTile, first * kTile, (right - left + 1) * kTile, (ty - first) * kTile});
        first = -1, left = columns_, right = -1;
    }
    return bands;
}

// Section: drawing

// The frame's triangles that fall inside the area, clipped to it, over the background.
void Repaint::draw_within(const ImDrawData& frame, const Rect& area, Rgb background) {
    const SDL_Rect whole{area.x, area.y, std::min(area.w, width_ - area.x),
                         std::min(area.h, height_ - area.y)};
    SDL_RenderSetClipRect(renderer_, &whole);
    SDL_SetRenderDrawColor(renderer_, background.r, background.g, background.b, 255);
    SDL_RenderFillRect(renderer_, &whole);
    for (int n = 0; n < frame.CmdListsCount; ++n) {
        const ImDrawList& list = *frame.CmdLists[n];
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            const float x0 = std::max(cmd.ClipRect.x, static_cast<float>(whole.x));
            const float y0 = std::max(cmd.ClipRect.y, static_cast<float>(whole.y));
            const float x1 = std::min(cmd.ClipRect.z, static_cast<float>(whole.x + whole.w));
            const float y1 = std::min(cmd.ClipRect.w, static_cast<float>(whole.y + whole.h));
            if (x1 <= x0 || y1 <= y0) continue;
            const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
            const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
            const SDL_Rect clip{static_cast<int>(x0), static_cast<int>(y0),
                                static_cast<int>(std::ceil(x1 - x0)),
                                static_cast<int>(std::ceil(y1 - y0))};
            SDL_RenderSetClipRect(renderer_, &clip);
            // Shapes of one colour (ImGui draws them from the atlas's white pixel) go without
            // the texture: the renderer then fills instead of sampling. Runs keep the order.
            const int vertices = static_cast<int>(list.VtxBuffer.Size - cmd.VtxOffset);
            bool run_solid = false;
            auto flush = [&] {
                if (indices_.empty()) return;
                SDL_RenderGeometryRaw(
                    renderer_, run_solid ? nullptr : static_cast<SDL_Texture*>(cmd.GetTexID()),
                    &vtx->pos.x, sizeof(ImDrawVert), reinterpret_cast<const SDL_Color*>(&vtx->col),
                    sizeof(ImDrawVert), run_solid ? nullptr : &vtx->uv.x, sizeof(ImDrawVert),
                    vertices, indices_.data(), static_cast<int>(indices_.size()), sizeof(int));
                indices_.clear();
            };
            for (unsigned i = 0; i + 2 < cmd.ElemCount; i += 3) {
                const ImDrawVert &a = vtx[idx[i]], &b = vtx[idx[i + 1]], &c = vtx[idx[i + 2]];
                if (std::max({a.pos.x, b.pos.x, c.pos.x}) < x0 ||
                    std::min({a.pos.x, b.pos.x, c.pos.x}) > x1 ||
                    std::max({a.pos.y, b.pos.y, c.pos.y}) < y0 ||
                    std::min({a.pos.y, b.pos.y, c.pos.y}) > y1)
                    continue;
                const bool solid = a.uv.x == white_.x && a.uv.y == white_.y && b.uv.x == white_.x &&
                                   b.uv.y == white_.y && c.uv.x == white_.x && c.uv.y == white_.y;
                if (solid != run_solid) {
                    flush();
                    run_solid = solid;
                }
                indices_.insert(indices_.end(), {idx[i], idx[i + 1], idx[i + 2]});
            }
            flush();
        }
    }
    SDL_RenderSetClipRect(renderer_, nullptr);
}

void Repaint::draw(const ImDrawData& frame, Rgb background) {
    white_ = {ImGui::GetIO().Fonts->TexUvWhitePixel.x, ImGui::GetIO().Fonts->TexUvWhitePixel.y};
    hash_tiles(frame);
    const Rect all{0, 0, width_, height_};
    std::vector<Rect> areas;
    if (everything_ || !keeps_pixels_ || previous_.size() != tiles_.size())
        areas = {all};
    else
        areas = changed_bands();
    for (const Rect& a : areas) draw_within(frame, a, background);
    everything_ = false;
    previous_.swap(tiles_);
}

}  // namespace kiosk::ui

// The on-screen keyboard's keys as screen items, row by row: the touch view draws them and the
// keypad moves through them. Letter keys are named by their letter ("key:ә"), the others by
// what they do ("key:shift").
#pragma once
#include "kiosk/screen.h"

#include <vector>

namespace kiosk {

std::vector<std::vector<Item>> keyboard_keys(const Session& s);

}  // namespace kiosk

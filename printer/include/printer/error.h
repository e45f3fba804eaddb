// printer: the one exception type of the printer library; its message names what failed.
#pragma once
#include <stdexcept>

namespace printer {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace printer

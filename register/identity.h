#pragma once
// Who is calling: the common name of the client certificate a kiosk presented under mutual
// TLS, which is its kiosk id (issue 16: a kiosk speaks for itself only).

#include <optional>
#include <string>

#include <httplib.h>

namespace dev_register {

// The one CN of the verified peer certificate of the request's TLS connection; nullopt when
// there is none, or it has no CN or more than one.
std::optional<std::string> client_common_name(const httplib::Request& req);

}  // namespace dev_register

#pragma once
// POST requests: the form's fields checked one by one and turned into the request to store.

#include <string>
#include <vector>

#include "catalog.h"
#include "form.h"
#include "store.h"

namespace dev_register {

// Every field is UTF-8 text without control characters other than \n, \r and \t, within the
// size limit, and given once unless it is a multi-value attribute; throws Rejection.
void check_text(const std::vector<FormField>& fields);

// The request the form describes, with its times set; throws Rejection naming the first field
// that is not acceptable. api_key and service_code were checked before. With
// `enforce_definition` the service's definition applies as on a plain server: required
// attributes must be there, values must fit their datatype, and attributes it does not define
// are dropped; without it every attribute is kept as sent.
NewRequest build_request(const std::vector<FormField>& fields, const std::string& service_code,
                         const Service& service, bool enforce_definition);

// A decimal number as forms and definitions write it: -12, 51.128, +0.5 (no exponent).
bool is_decimal(std::string_view text);

}  // namespace dev_register

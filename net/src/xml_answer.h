// net: GeoReport v2 XML answers in the shape of the JSON ones, so that one set of rules
// (open311.cpp) checks both formats. Private to net.
#pragma once
#include <nlohmann/json.hpp>

#include <string_view>

namespace net {

// The spec's list elements (service_requests, services, errors, attributes, values) become
// arrays of their items (request, service, error, attribute, value); any other element with
// child elements becomes an object, and a leaf its text, trimmed of XML white space (an empty
// element is ""). XML has no numbers or booleans, so every scalar is a string.
//
// Discarded (json::value_t::discarded, never an exception) when the body is over
// kMaxAnswerBytes; holds a NUL byte, a character reference to one or an undeclared entity;
// has a DOCTYPE (so no entity of any kind is ever declared); is not well-formed UTF-8 XML with
// exactly one root element named service_requests, services, errors or service_definition;
// nests deeper than any answer of the spec; names a field twice in one element; mixes text
// with elements; or puts an element of the wrong name in a list.
nlohmann::json xml_answer(std::string_view body);

}  // namespace net

#pragma once
// Service definitions (GET services/{code}), read from a file of their own:
//
//   [{"service_codes": ["KZ-GU-001", ...],      services sharing these attributes
//     "attributes": [{"code": "addressee",      letters, digits, _ - . (it goes in a form name)
//                     "datatype": "singlevaluelist",  string number datetime text
//                                                     singlevaluelist multivaluelist
//                     "required": true,        optional, default false
//                     "variable": true,        optional, default true
//                     "description": "...",
//                     "datatype_description": "...",  optional
//                     "values": [{"key": "akim", "name": "..."}]}]}]   list datatypes only
//
// Each service whose `metadata` is true is in exactly one group; the order of the attributes
// is their `order`.

#include <string>

#include "catalog.h"

namespace dev_register {

// Fills the definitions of the catalog's services; an empty path reads none. Throws
// std::runtime_error naming the problem, also when a metadata service has no definition.
void load_definitions(const std::string& path, Catalog& catalog);

bool is_list_datatype(const std::string& datatype);

}  // namespace dev_register

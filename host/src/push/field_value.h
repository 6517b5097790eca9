// The unquoted field values of line protocol: floats, integers (`i`),
// unsigned integers (`u`) and booleans, by the grammar of InfluxDB's line
// protocol reference (and line-protocol v2's line-protocol.ebnf). Quoted
// strings are the line parser's, since they may span lines and need its
// unescape buffer. Pure; thread-safe.
#ifndef RUNNEL_HOST_PUSH_FIELD_VALUE_H_
#define RUNNEL_HOST_PUSH_FIELD_VALUE_H_

#include <string>
#include <string_view>

#include "push/line_protocol.h"

namespace runnel::host {

// Parses `token` (the bytes up to the next comma, space or line end) into
// `out`. Returns "" on success, else what is wrong with it.
std::string ParseScalarValue(std::string_view token, FieldValue& out);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_FIELD_VALUE_H_

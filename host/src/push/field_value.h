// The unquoted field values of line protocol: floats, integers (`i`),
// unsigned integers (`u`) and booleans, by the grammar of InfluxDB's line
// protocol reference (and line-protocol v2's line-protocol.ebnf). Quoted
// strings are the line parser's, since they may span lines and need its
// unescape buffer. Pure; thread-safe.
#ifndef RUNNEL_HOST_PUSH_FIELD_VALUE_H_
#define RUNNEL_HOST_PUSH_FIELD_VALUE_H_

#include <cstdint>
#include <string_view>

#include "push/line_protocol.h"

namespace runnel::host {

// Parses `token` (the bytes up to the next comma, space or line end) into
// `out`. Returns nullptr on success, else what is wrong with it.
const char* ParseScalarValue(std::string_view token, FieldValue& out);

enum class IntegerText { kOk, kNotInteger, kOutOfRange };

// [-]digits (no sign for the unsigned one) into `*value`, in one pass: up
// to 19 digits are summed exactly in 64 bits as they are checked, then
// range-checked; longer tokens (leading zeros) go through from_chars.
IntegerText ParseDecimalInt64(std::string_view token, int64_t* value);
IntegerText ParseDecimalUint64(std::string_view token, uint64_t* value);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_FIELD_VALUE_H_

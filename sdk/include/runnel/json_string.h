// AppendJSONString: a JSON string literal as Grafana's Go SDK writes one, for
// code that writes JSON by hand (a plugin's initial data, the host's
// protocol messages). Pure; thread-safe.
#ifndef RUNNEL_JSON_STRING_H_
#define RUNNEL_JSON_STRING_H_

#include <string>
#include <string_view>

namespace runnel {

// Appends `text` quoted and escaped as the Go SDK's jsoniter
// Stream.WriteString does: `"` and `\` backslash-escaped; \n \r \t short;
// other bytes below 0x20 as \u00XX; everything else as is. One deviation:
// each byte of invalid UTF-8 becomes \ufffd (jsoniter copies it, making
// JSON that strict parsers reject). The result never holds a raw control
// character. Allocates nothing but `out`'s growth.
void AppendJSONString(std::string_view text, std::string& out);

}  // namespace runnel

#endif  // RUNNEL_JSON_STRING_H_

// UTF-8 validity, as line protocol requires of names, keys and values
// (InfluxDB line protocol reference, "Character set"). Pure; thread-safe.
#ifndef RUNNEL_HOST_PUSH_UTF8_H_
#define RUNNEL_HOST_PUSH_UTF8_H_

#include <string_view>

namespace runnel::host {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing above U+10FFFF (RFC 3629).
bool IsValidUtf8(std::string_view text);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_UTF8_H_

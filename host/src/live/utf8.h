// UTF-8 validation for text that the WebSocket protocol requires to be
// UTF-8 (a close frame's reason, RFC 6455 section 5.5.1).
// Thread-safety: pure function.
#ifndef RUNNEL_HOST_LIVE_UTF8_H_
#define RUNNEL_HOST_LIVE_UTF8_H_

#include <string_view>

namespace runnel::host {

// Whether `text` is well-formed UTF-8 as RFC 3629 defines it: no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing past U+10FFFF, no
// truncated sequence.
bool IsValidUtf8(std::string_view text);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_UTF8_H_

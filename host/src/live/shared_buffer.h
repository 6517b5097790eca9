// SharedBuffer: an encoded, immutable message shared by every connection it
// goes to. Encoded once by whoever produces it (hub, client); writers only
// hold references. Thread-safety: immutable, so safe to share.
#ifndef RUNNEL_HOST_LIVE_SHARED_BUFFER_H_
#define RUNNEL_HOST_LIVE_SHARED_BUFFER_H_

#include <memory>
#include <string>

namespace runnel::host {

using SharedBuffer = std::shared_ptr<const std::string>;

inline SharedBuffer MakeSharedBuffer(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_SHARED_BUFFER_H_

// Whether the host's HTTP address is reachable from this machine only.
// The host has no sign-in yet, so anything else lets whoever reaches the port
// subscribe and publish; the host warns about it at start.
// Pure functions; thread-safe.
#ifndef RUNNEL_HOST_APP_LISTEN_ADDRESS_H_
#define RUNNEL_HOST_APP_LISTEN_ADDRESS_H_

#include <string>
#include <string_view>

namespace runnel::host {

// True for "localhost", 127.0.0.0/8, ::1 and ::ffff:127.x.y.z (brackets
// allowed). False for "" and the wildcards (all interfaces), other names and
// other addresses.
bool IsLoopbackAddress(std::string_view address);

// The warning for an address that is not loopback; "" for one that is.
std::string OpenAddressWarning(std::string_view address);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_APP_LISTEN_ADDRESS_H_

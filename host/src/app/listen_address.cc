#include "app/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace runnel::host {

bool IsLoopbackAddress(std::string_view address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const std::string text(address);
  if (text == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

std::string OpenAddressWarning(std::string_view address) {
  if (IsLoopbackAddress(address)) return "";
  const std::string where =
      address.empty() ? std::string("all interfaces") : std::string(address);
  return "[server] http_addr binds to " + where +
         ": the host has no sign-in yet, so anyone who reaches this port can "
         "subscribe to and publish on every channel; bind to 127.0.0.1 "
         "unless something in front of the host checks who connects";
}

}  // namespace runnel::host

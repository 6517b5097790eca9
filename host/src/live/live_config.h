// LiveConfig: every knob of the Live WebSocket endpoint and the HTTP server.
// Defaults follow Grafana ([server], [live]) and centrifuge v0.38.
// Thread-safety: a plain value; the server keeps its own copy.
#ifndef RUNNEL_HOST_LIVE_LIVE_CONFIG_H_
#define RUNNEL_HOST_LIVE_LIVE_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace runnel::host {

struct LiveConfig {
  // [server]
  std::string http_addr = "0.0.0.0";  // Grafana's "" (all interfaces)
  uint16_t http_port = 3000;          // 0 = pick a free port (tests)
  std::string root_url;               // e.g. "http://localhost:3000/"
  // Request line plus headers, in bytes; over it: 431 (414 when the request
  // line alone is). Go's net/http DefaultMaxHeaderBytes, which Grafana
  // inherits: browsers send every cookie of the domain with the upgrade.
  size_t max_header_bytes = 1 << 20;
  // Refuse requests whose Host is not root_url's host (host_check.h).
  bool enforce_domain = false;

  // [live]
  std::vector<std::string> allowed_origins;  // gobwas-style globs; "*" = any
  int64_t max_connections = 100;             // 0 disables Live; -1 unlimited
  size_t message_size_limit = 65536;         // bytes per incoming message
  size_t client_queue_max_size = 4 * 1024 * 1024;  // bytes; over it: 3008

  // Centrifuge client timings (library defaults, which Grafana keeps).
  std::chrono::milliseconds ping_interval{25000};      // server `{}` ping
  std::chrono::milliseconds pong_timeout{10000};       // 0 = no pong check
  std::chrono::milliseconds stale_close_delay{15000};  // no connect: 3502
  std::chrono::milliseconds close_handshake_timeout{5000};

  int client_channel_limit = 128;  // subscriptions per connection (106)
  // Queued messages joined into one WebSocket frame per write (centrifuge's
  // MaxMessagesInFrame is 16; more means fewer syscalls under fan-out).
  size_t max_messages_in_frame = 64;
  size_t max_frame_bytes = 1024 * 1024;  // a batch stops growing past this

  int io_threads = 2;       // event loops (IoLoops), one thread each
  std::string static_root;  // served at "/"; "" = no static files
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_LIVE_CONFIG_H_

// Server: the host's HTTP server and Grafana Live WebSocket endpoint, on
// Boost.Beast/Asio, with its own WebSocket framing. config.io_threads event
// loops (IoLoops), one thread each; each connection stays on one loop.
//
// Routes:
//   GET /api/live/ws    Centrifuge protocol v2 JSON (WebSocket upgrade)
//   GET /api/live/list  {"channels":[{"channel":..,"subscribers":N},..]}
//                       (unless a HandleGet route replaces it)
//   GET <path>          routes added with HandleGet
//   <method> <path>     routes added with Handle (any method, a body, an
//                       answer that may come later from another thread)
//   GET <prefix>...     WebSocket upgrades for HandleWebSocket routes
//   GET /...            files under config.static_root (index.html at /)
//
// Requests it cannot serve are answered, never dropped: a malformed request
// 400, a header section over max_header_bytes 431 (414 when the request
// line alone is), a body over 1 MB (or the route's limit) 413, a method
// that no route serves 405, and the Host rules of host_check.h;
// each with a debug log line. accept() failures pause accepting
// (accept_backoff.h).
//
// Thread-safety: HandleGet, Handle and HandleWebSocket only before Start.
// Start/Shutdown from one (owner) thread. Stats, port and ActiveConnections
// from any thread. Ownership: `hub` and `channel_handler` are not owned and
// must outlive the server (until Shutdown returns). `channel_handler` says
// which channels exist and who serves them; it may be null: then every channel
// answers 404.
#ifndef RUNNEL_HOST_LIVE_SERVER_H_
#define RUNNEL_HOST_LIVE_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "live/channel_handler.h"
#include "live/http_types.h"
#include "live/hub.h"
#include "live/live_config.h"
#include "runnel/status.h"

namespace runnel::host {

// A snapshot for /metrics.
struct LiveStats {
  uint64_t connections = 0;        // open WebSocket connections (current)
  uint64_t connections_total = 0;  // accepted since start
  uint64_t subscriptions = 0;      // current, summed over channels
  uint64_t channels = 0;           // channels with a subscriber
  uint64_t publications_in = 0;    // publications into the hub
  uint64_t messages_out = 0;       // messages handed to client writers
  uint64_t slow_disconnects = 0;   // connections closed with 3008
};

class Server {
 public:
  Server(LiveConfig config, Hub& hub, ChannelHandler* channel_handler);
  ~Server();  // Shutdown() if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds a GET route for an exact path. Call before Start.
  void HandleGet(std::string path, HttpGetHandler handler);
  // Adds a route for any method, with its body limit. Call before Start.
  void Handle(HttpRoute route, HttpHandler handler);
  // Adds a WebSocket endpoint under route.path_prefix, with the same origin
  // check as /api/live/ws. Call before Start.
  void HandleWebSocket(WebSocketRoute route, WebSocketMessageHandler handler);

  // Binds http_addr:http_port and starts the I/O threads. An error if the
  // address cannot be bound, or if enforce_domain is on and root_url names
  // no host.
  Status Start();
  // The bound port (useful with http_port 0). Valid after Start.
  uint16_t port() const;

  // Closes every client with 3001 "shutdown" (flushing what is queued),
  // stops accepting and joins the I/O threads. Safe to call twice.
  void Shutdown();

  LiveStats Stats() const;

  class Impl;  // implementation detail (server.cc)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_SERVER_H_

// MessageSocket: a WebSocket whose messages are plain requests, answered one
// by one by a WebSocketMessageHandler (GET /api/live/push/:streamId: each
// message is a push body). No Centrifuge, no timers: the peer keeps the
// connection as long as it likes; a message over the route's size limit
// closes it with 1009, like any of the server's sockets.
//
// Thread-safety: everything runs on the socket's loop; Close (any thread)
// posts to it. Lifetime: owned by shared_ptrs held by its pending
// asynchronous operations.
#ifndef RUNNEL_HOST_LIVE_MESSAGE_SOCKET_H_
#define RUNNEL_HOST_LIVE_MESSAGE_SOCKET_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "live/connection.h"
#include "live/http_types.h"
#include "live/io_loops.h"
#include "live/live_config.h"
#include "live/socket_session.h"

namespace runnel::host {

class MessageSocket : public SocketSession,
                      private ConnectionEvents,
                      public std::enable_shared_from_this<MessageSocket> {
 public:
  // `config` (with the route's message limit) and `slow_disconnects` must
  // outlive the socket. `on_finished` runs once, on the loop, at the end.
  MessageSocket(boost::asio::ip::tcp::socket socket, IoLoop* loop,
                const LiveConfig& config,
                std::atomic<uint64_t>* slow_disconnects, HttpRequest upgrade,
                WebSocketMessageHandler handler,
                std::function<void(SocketSession*)> on_finished);

  void Start(std::string upgrade_response);
  void Close(Disconnect disconnect, bool flush) override;

 private:
  // ConnectionEvents
  std::shared_ptr<void> KeepAlive() override { return shared_from_this(); }
  std::string_view LogId() const override { return upgrade_.path; }
  void OnOpen() override {}
  void OnMessage(std::string_view payload) override;
  void OnTimer() override {}
  void OnClosing() override {}
  void OnFinished() override;

  const HttpRequest upgrade_;
  const WebSocketMessageHandler handler_;
  const std::function<void(SocketSession*)> on_finished_;
  Connection connection_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_MESSAGE_SOCKET_H_

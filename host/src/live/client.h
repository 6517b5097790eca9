// ClientSession: one Grafana Live client. Speaks the Centrifuge protocol v2
// (connect, subscribe, unsubscribe, publish, presence, ping/pong, and
// errors for the rest) over its Connection, which owns the WebSocket.
// Which channels exist and who serves them is the ChannelHandler's say; the
// session checks only what the protocol fixes (ids, org, limits).
//
// Thread-safety: everything runs on the session's loop (IoLoop). Deliver
// comes from the hub on that loop; Close (any thread) posts to it; a
// ChannelHandler's replies come back to it.
// Lifetime: owned by shared_ptrs held by its pending asynchronous
// operations; it leaves the hub before it goes away.
#ifndef RUNNEL_HOST_LIVE_CLIENT_H_
#define RUNNEL_HOST_LIVE_CLIENT_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/channel_handler.h"
#include "live/connection.h"
#include "live/disconnect.h"
#include "live/hub.h"
#include "live/io_loops.h"
#include "live/live_config.h"
#include "live/protocol.h"
#include "live/socket_session.h"

namespace runnel::host {

class ClientSession;

// What every session of one server shares. Owned by the server through a
// shared_ptr; sessions keep it alive.
struct ClientEnvironment {
  LiveConfig config;
  Hub* hub = nullptr;
  ChannelHandler* channel_handler = nullptr;  // may be null: every channel 404
  std::atomic<int64_t> connected_clients{0};  // sessions past connect
  std::atomic<uint64_t> slow_disconnects{0};
  // Called once on the session's loop when it has finished.
  std::function<void(SocketSession*)> on_finished;
};

class ClientSession : public Subscriber,
                      public SocketSession,
                      private ConnectionEvents,
                      public std::enable_shared_from_this<ClientSession> {
 public:
  // `socket` must belong to `loop`'s io_context.
  ClientSession(boost::asio::ip::tcp::socket socket, IoLoop* loop,
                std::shared_ptr<ClientEnvironment> env);
  ~ClientSession() override;

  // Writes `upgrade_response` (the server checked the upgrade and built
  // it) and starts reading. On the session's loop.
  void Start(std::string upgrade_response);

  // Closes with `disconnect` (any thread). `flush`: send what is queued
  // first.
  void Close(Disconnect disconnect, bool flush) override;

  // Subscriber: called by the hub on the session's loop.
  void Deliver(const SharedBuffer& message) override;
  DeliveryLoop* delivery_loop() const override { return connection_.loop(); }

 private:
  // Where the protocol stands; each state has its timer.
  enum class State {
    kAwaitingConnect,  // stale timer: no connect in time is 3502
    kConnected,        // counted in connected_clients; ping timer
    kAwaitingPong,     // a ping is out; pong timer: none in time is 3012
    kFinished,         // the connection is gone (and uncounted)
  };

  // ConnectionEvents
  std::shared_ptr<void> KeepAlive() override { return shared_from_this(); }
  std::string_view LogId() const override { return identity_.client_id; }
  void OnOpen() override;
  void OnMessage(std::string_view payload) override;
  void OnTimer() override;
  void OnClosing() override { LeaveHub(); }
  void OnFinished() override;

  void HandleCommand(Command& command);
  void HandleConnect(const Command& command);
  void HandleSubscribe(Command& command);
  // False (after replying) if `wire` cannot be subscribed to by this client
  // for reasons of its own: length, already subscribed, channel limit.
  bool MaySubscribe(uint32_t command_id, const std::string& wire);
  void FinishSubscribe(uint32_t id, const std::string& wire,
                       SubscribeReply reply);
  void HandleUnsubscribe(const Command& command);
  void HandlePublish(Command& command);
  void FinishPublish(uint32_t id, const PublishReply& reply);
  // The channel of a subscribe or publish, parsed, when there is a handler
  // to ask about it; otherwise the error reply is sent (400 invalid, 103
  // another org, 404 no handler) and nullopt returned.
  std::optional<LiveChannel> ChannelToAsk(uint32_t command_id,
                                          const std::string& wire);
  // Wraps `then` as a ChannelHandler's `done`: it runs on this session's
  // loop (at once if already there), unless the session is gone by then.
  template <typename Reply, typename Then>
  std::function<void(Reply)> OnLoop(Then then);
  void HandlePong();
  void SendPing();
  bool IsSubscribed(const std::string& channel) const;
  // Unsubscribes from every channel (on the loop, never inside Deliver).
  void LeaveHub();

  void SendError(uint32_t id, int32_t code, std::string_view message);

  std::shared_ptr<ClientEnvironment> env_;
  ClientIdentity identity_;  // before connection_, which logs its id
  Connection connection_;
  State state_ = State::kAwaitingConnect;
  std::chrono::steady_clock::time_point last_ping_;
  std::vector<std::string> channels_;          // subscribed wire channels
  std::vector<std::string> pending_channels_;  // subscribe in progress
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_CLIENT_H_

// RedisContext: one hiredis async connection to one Redis or Sentinel,
// driven by an Asio io_context: a non-blocking connect bounded by a
// timeout, pipelined commands whose replies come back in order, and the
// replies of a subscribed (PUB/SUB) connection. It never reconnects; that
// is RedisLink's job, which makes a new RedisContext for every attempt.
//
// Thread-safety: none. Every method must be called on the io_context's
// thread (which must be one thread), and every callback runs there.
// Ownership: owns the hiredis context (and through it the socket). Close()
// or the destructor ends it: commands still waiting get an error reply
// inside that call, and no callback of this object runs after it returns.
// An owner may destroy the object from inside one of its callbacks.
#ifndef RUNNEL_HOST_ENGINE_REDIS_CONTEXT_H_
#define RUNNEL_HOST_ENGINE_REDIS_CONTEXT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/redis_address.h"
#include "engine/redis_reply.h"
#include "runnel/status.h"

struct redisAsyncContext;
struct redisReply;

namespace runnel::host {

class RedisContext {
 public:
  using Clock = std::chrono::steady_clock;
  using ReplyCallback = std::function<void(const RedisReply&)>;
  using StatusCallback = std::function<void(const Status&)>;

  explicit RedisContext(boost::asio::io_context& io);
  ~RedisContext();
  RedisContext(const RedisContext&) = delete;
  RedisContext& operator=(const RedisContext&) = delete;

  // Starts connecting (once per object). `on_connected` runs once: OK when
  // the TCP connection is up, Unavailable when refused or not up within
  // `timeout`. After an OK, `on_lost` runs once if the server or the
  // network ends the connection (not for Close()). Name lookup is
  // hiredis's and blocks; use IP literals where that matters.
  void Connect(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
               StatusCallback on_connected, StatusCallback on_lost);
  bool connected() const { return connected_; }

  // Sends a command (binary-safe arguments) without waiting for earlier
  // replies; `done` gets its reply, in sending order. Returns false, and
  // leaves `done` untouched, when not connected.
  bool Command(const std::vector<std::string>& args, ReplyCallback&& done);

  // PUB/SUB. SUBSCRIBE and UNSUBSCRIBE go through here; their confirmations
  // and the messages of subscribed channels go to the push handler.
  // `expected_replies` is how many confirmations the command brings (one a
  // channel); until they arrive the command counts as unanswered.
  void SetPushHandler(ReplyCallback on_push) { on_push_ = std::move(on_push); }
  bool PushCommand(const std::vector<std::string>& args,
                   size_t expected_replies);

  // When the oldest command still waiting for its reply was sent; nullopt
  // when none waits. For the owner's reply timeout.
  std::optional<Clock::time_point> OldestUnansweredSince() const;
  // When the last command was sent (the connect time before any).
  Clock::time_point last_sent() const { return last_sent_; }

  // Ends the connection; waiting commands get an error reply "ERR <reason>".
  void Close(const std::string& reason);

 private:
  struct Pending {
    ReplyCallback done;
    Clock::time_point sent;
  };
  struct PendingPush {
    size_t replies_left;
    Clock::time_point sent;
  };

  static void OnConnectHook(const redisAsyncContext* context, int status);
  static void OnDisconnectHook(const redisAsyncContext* context, int status);
  static void OnReplyHook(redisAsyncContext* context, void* reply, void*);
  static void OnPushHook(redisAsyncContext* context, void* reply, void*);
  static RedisContext* Owner(const redisAsyncContext* context);

  bool Send(const std::vector<std::string>& args,
            void (*hook)(redisAsyncContext*, void*, void*));
  void HandleConnected(int status);
  void HandleLost();
  void HandleReply(const redisReply& reply);
  void HandlePush(const redisReply& reply);
  void OnConnectTimeout();
  // Detaches the hiredis context from this object and frees it.
  void Release(bool in_connect_hook);
  void FailPending(const std::string& reason);
  void ReportConnected(const Status& status);

  boost::asio::io_context& io_;
  boost::asio::steady_timer connect_timer_;
  redisAsyncContext* context_ = nullptr;  // null when not connecting/connected
  bool connected_ = false;
  bool in_connect_hook_ = false;
  std::string endpoint_name_;
  StatusCallback on_connected_;
  StatusCallback on_lost_;
  ReplyCallback on_push_;
  std::deque<Pending> pending_;
  std::deque<PendingPush> pending_push_;
  Clock::time_point last_sent_;
  // Expires with the object: posted handlers check it before touching us.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_CONTEXT_H_

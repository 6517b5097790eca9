// RedisConnection: the engine's command connection to Redis: one hiredis
// async context on the caller's io_context, reconnecting by itself (with
// Sentinel discovery when the address is sentinel://), pipelined commands
// whose replies come back in order.
//
// Commands are never queued for later: when the connection is not up, a
// command fails at once with "ERR not connected" (delivered through the
// io_context, not inside Command). A command in flight when the connection
// drops fails with an error reply. A Redis that stops answering (SIGSTOP,
// a cut link) is noticed by command_timeout and the idle PING.
//
// Thread-safety: none. The io_context must run on one thread (the
// engine's Redis thread); every method except the constructor must be
// called on it, and every callback runs on it. Post to it from elsewhere.
// Ownership: the caller owns the io_context, which must outlive this
// object. Stop() (also run by the destructor, which must run on the io
// thread) answers every waiting callback with an error before it returns;
// no callback runs after that. Do not destroy the object from inside one
// of its callbacks (Stop() there is fine).
#ifndef RUNNEL_HOST_ENGINE_REDIS_CONNECTION_H_
#define RUNNEL_HOST_ENGINE_REDIS_CONNECTION_H_

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/redis_link.h"
#include "engine/redis_options.h"
#include "engine/redis_reply.h"

namespace runnel::host {

class RedisConnection {
 public:
  using ReplyCallback = std::function<void(const RedisReply&)>;

  // on_state(true) once connected, authenticated and (Sentinel mode)
  // checked to be the master; on_state(false) once when an up connection
  // goes down (not for failed retries, not for Stop()).
  RedisConnection(boost::asio::io_context& io, RedisOptions options,
                  std::function<void(bool up)> on_state);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void Start();
  void Stop();
  bool up() const { return link_.up(); }

  // Sends `args` (binary-safe; args[0] is the command) without waiting for
  // earlier replies; `done` gets the reply, in the order of the calls.
  void Command(std::vector<std::string> args, ReplyCallback done);

 private:
  void FailLater(ReplyCallback done);
  void DeliverFailures();

  boost::asio::io_context& io_;
  RedisLink link_;
  // Commands refused while down, answered from a posted task in order.
  std::deque<ReplyCallback> refused_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_CONNECTION_H_

// RedisSubscriber: the host's one PUB/SUB connection to Redis. It keeps the
// set of channels asked for and, after every (re)connect, SUBSCRIBEs all of
// them again (in a few batched commands) before it reports itself up.
// Connecting, Sentinel discovery, AUTH, backoff and liveness are
// RedisLink's, shared with RedisConnection. Channel names and payloads are
// binary-safe.
//
// Liveness: the connection is always subscribed to kLivenessChannel as
// well; its idle probe re-SUBSCRIBEs that channel. (hiredis 0.14 files the
// callback of a PING sent on a subscribed connection where no reply ever
// takes it off again, so a PING probe would leak; a SUBSCRIBE's
// confirmation is routed and counted like any other.)
//
// Thread-safety: none; the io_context runs on one thread, and every method
// except the constructor must be called on it. Callbacks run on it.
// Ownership: the caller owns the io_context, which must outlive this
// object. No callback runs after Stop() (or the destructor, which must run
// on the io thread) returns. Do not destroy the object from inside one of
// its callbacks.
#ifndef RUNNEL_HOST_ENGINE_REDIS_SUBSCRIBER_H_
#define RUNNEL_HOST_ENGINE_REDIS_SUBSCRIBER_H_

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <unordered_set>

#include "engine/redis_link.h"
#include "engine/redis_options.h"
#include "engine/redis_reply.h"

namespace runnel::host {

class RedisSubscriber {
 public:
  using MessageCallback = std::function<void(const std::string& channel,
                                             const std::string& payload)>;

  // The channel the idle probe subscribes to; nothing is published there.
  static constexpr const char* kLivenessChannel = "__runnel__:liveness";

  // on_message: a publication on a channel in the set. on_state(true) once
  // connected and resubscribed; on_state(false) once when that ends (not
  // for failed retries, not for Stop()).
  RedisSubscriber(boost::asio::io_context& io, RedisOptions options,
                  MessageCallback on_message,
                  std::function<void(bool up)> on_state);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  void Start();
  void Stop();
  bool up() const { return link_.up(); }

  // Adds/removes a channel. Sent at once when connected; otherwise the
  // next (re)connect subscribes the set as it is then.
  void Subscribe(const std::string& channel);
  void Unsubscribe(const std::string& channel);
  const std::unordered_set<std::string>& channels() const { return channels_; }

 private:
  void Resubscribe(RedisContext& context);
  void OnPush(const RedisReply& reply);

  RedisLink link_;
  MessageCallback on_message_;
  std::unordered_set<std::string> channels_;
  // SUBSCRIBE confirmations still due for the batch sent on (re)connect.
  size_t confirmations_due_ = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_SUBSCRIBER_H_

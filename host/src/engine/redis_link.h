// RedisLink: keeps one connection to the Redis master alive; the part that
// RedisConnection and RedisSubscriber share. For every attempt it finds
// the master (the address itself, or in Sentinel mode by asking each
// Sentinel in turn "SENTINEL get-master-addr-by-name"), connects with the
// connect timeout, sends AUTH if a password is set and, in Sentinel mode,
// checks that ROLE says master. Then the owner's on_open hook does its own
// set-up and calls Ready(): only then is the link up. Any failure or drop
// closes the connection and retries after an exponential backoff.
//
// Liveness: a command unanswered after command_timeout drops the
// connection; when idle for ping_interval the owner's probe is sent.
//
// Thread-safety: none; every method must be called on the io_context's
// thread, and every hook runs there.
// Ownership: owns the RedisContexts. Hooks run after Stop() never; the
// owner must not destroy the link from inside a hook.
#ifndef RUNNEL_HOST_ENGINE_REDIS_LINK_H_
#define RUNNEL_HOST_ENGINE_REDIS_LINK_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/redis_context.h"
#include "engine/redis_options.h"

namespace runnel::host {

class RedisLink {
 public:
  struct Hooks {
    // The connection passed AUTH (and ROLE): the owner's own set-up, after
    // which it calls Ready(). The context stays valid until the link fails.
    std::function<void(RedisContext& context)> on_open;
    // Sends the owner's liveness probe (a command that gets a reply).
    std::function<void(RedisContext& context)> send_probe;
    // up: Ready() was called; down: an up link failed (once per change,
    // never for Stop()).
    std::function<void(bool up)> on_state;
  };

  // `name` labels log lines ("redis connection", "redis subscriber").
  RedisLink(boost::asio::io_context& io, RedisOptions options, Hooks hooks,
            std::string name);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  void Start();
  // Closes everything; commands waiting get "ERR <reason>" before it
  // returns. Start() may follow.
  void Stop(const std::string& reason);
  // Called by the owner once its on_open set-up is done.
  void Ready();
  // Drops the connection and reconnects after the backoff.
  void Fail(const std::string& reason);

  bool up() const { return state_ == State::kUp; }
  // The connection from on_open until it fails; nullptr otherwise.
  RedisContext* open_context() {
    return state_ == State::kOpening || state_ == State::kUp ? context_.get()
                                                             : nullptr;
  }

 private:
  enum class State {
    kStopped,
    kResolving,    // asking the Sentinels
    kConnecting,   // TCP connect to the master
    kHandshaking,  // AUTH, ROLE
    kOpening,      // the owner's on_open set-up
    kUp,
    kBackoff,  // waiting to retry
  };

  void Attempt();
  void AskSentinel(size_t index);
  void OnSentinelReply(size_t index, const RedisReply& reply);
  void NextSentinel(size_t index, const std::string& why);
  void ConnectTo(const RedisEndpoint& master);
  void OnConnected(const Status& status);
  void Authenticate();
  void CheckRole();
  void Open();
  void CloseContexts(const std::string& reason);
  void ScheduleRetry();
  void ScheduleTick();
  void OnTick();
  std::chrono::milliseconds TickPeriod() const;

  boost::asio::io_context& io_;
  const RedisOptions options_;
  const Hooks hooks_;
  const std::string name_;
  State state_ = State::kStopped;
  // Changes whenever the current attempt ends (failure or Stop), so that a
  // late callback or timer of an old attempt does nothing.
  uint64_t attempt_ = 0;
  uint64_t run_ = 0;  // changes on Start/Stop: ends the old tick chain
  std::chrono::milliseconds backoff_;
  RedisEndpoint master_;
  std::unique_ptr<RedisContext> context_;   // the master
  std::unique_ptr<RedisContext> sentinel_;  // the Sentinel being asked
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer sentinel_timer_;
  boost::asio::steady_timer tick_timer_;
  bool down_logged_ = false;  // one warning per outage, not per retry
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_LINK_H_

#include "engine/redis_link.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "runnel/log.h"

namespace runnel::host {
namespace {

using std::chrono::milliseconds;

std::string Millis(milliseconds ms) { return std::to_string(ms.count()); }

// The master's endpoint from a "SENTINEL get-master-addr-by-name" reply
// (["host", "port"]); false for nil (unknown master) or anything else.
bool ParseMasterReply(const RedisReply& reply, RedisEndpoint* master) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2) {
    return false;
  }
  const std::string& host = reply.elements[0].str;
  const std::string& port = reply.elements[1].str;
  int value = 0;
  auto [end, ec] =
      std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value < 1 || value > 65535) {
    return false;
  }
  master->host = host;
  master->port = value;
  return true;
}

}  // namespace

RedisLink::RedisLink(boost::asio::io_context& io, RedisOptions options,
                     Hooks hooks, std::string name)
    : io_(io),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      name_(std::move(name)),
      backoff_(options_.backoff_min),
      retry_timer_(io),
      sentinel_timer_(io),
      tick_timer_(io) {}

RedisLink::~RedisLink() { Stop("connection closed"); }

void RedisLink::Start() {
  if (state_ != State::kStopped) return;
  ++run_;
  backoff_ = options_.backoff_min;
  down_logged_ = false;
  ScheduleTick();
  Attempt();
}

void RedisLink::Stop(const std::string& reason) {
  if (state_ == State::kStopped) return;
  state_ = State::kStopped;
  ++attempt_;
  ++run_;
  retry_timer_.cancel();
  sentinel_timer_.cancel();
  tick_timer_.cancel();
  CloseContexts(reason);
}

void RedisLink::Ready() {
  if (state_ != State::kOpening) return;
  state_ = State::kUp;
  backoff_ = options_.backoff_min;
  down_logged_ = false;
  log::Info(name_ + ": up", {{"master", master_.ToString()}});
  if (hooks_.on_state) hooks_.on_state(true);
}

void RedisLink::Fail(const std::string& reason) {
  if (state_ == State::kStopped || state_ == State::kBackoff) return;
  const bool was_up = state_ == State::kUp;
  state_ = State::kBackoff;
  const uint64_t attempt = ++attempt_;
  sentinel_timer_.cancel();
  // Waiting commands get their errors in here; they may call back into us.
  CloseContexts(reason);
  if (attempt != attempt_) return;  // a callback stopped or restarted us
  if (was_up || !down_logged_) {
    log::Warn(name_ + ": down, reconnecting", {{"reason", reason}});
    down_logged_ = true;
  } else {
    log::Debug(name_ + ": connect failed", {{"reason", reason}});
  }
  if (was_up && hooks_.on_state) {
    hooks_.on_state(false);
    if (attempt != attempt_) return;
  }
  ScheduleRetry();
}

void RedisLink::Attempt() {
  const RedisAddress& address = options_.address;
  if (address.endpoints.empty()) {
    state_ = State::kConnecting;
    Fail("no Redis address");
    return;
  }
  if (address.sentinel) {
    state_ = State::kResolving;
    AskSentinel(0);
  } else {
    ConnectTo(address.endpoints[0]);
  }
}

void RedisLink::AskSentinel(size_t index) {
  const RedisAddress& address = options_.address;
  if (index >= address.endpoints.size()) {
    Fail("no Sentinel gave the address of master " + address.master_name);
    return;
  }
  // A Sentinel that accepts but never answers (stopped) is skipped too.
  sentinel_timer_.expires_after(options_.connect_timeout +
                                options_.command_timeout);
  sentinel_timer_.async_wait(
      [this, index, attempt = attempt_, token = std::weak_ptr<char>(alive_)](
          const boost::system::error_code& error) {
        if (error || token.expired() || attempt != attempt_ ||
            state_ != State::kResolving) {
          return;
        }
        NextSentinel(index, "no answer in time");
      });
  sentinel_ = std::make_unique<RedisContext>(io_);
  sentinel_->Connect(
      address.endpoints[index], options_.connect_timeout,
      [this, index](const Status& status) {
        if (!status.ok()) {
          NextSentinel(index, status.message());
          return;
        }
        sentinel_->Command({"SENTINEL", "get-master-addr-by-name",
                            options_.address.master_name},
                           [this, index](const RedisReply& reply) {
                             OnSentinelReply(index, reply);
                           });
      },
      nullptr);  // a lost connection fails the waiting command instead
}

void RedisLink::OnSentinelReply(size_t index, const RedisReply& reply) {
  RedisEndpoint master;
  if (!ParseMasterReply(reply, &master)) {
    NextSentinel(index, reply.error() ? reply.str : "master unknown");
    return;
  }
  sentinel_timer_.cancel();
  sentinel_.reset();  // inside its own callback: RedisContext allows it
  ConnectTo(master);
}

void RedisLink::NextSentinel(size_t index, const std::string& why) {
  log::Debug(name_ + ": Sentinel did not give the master",
             {{"sentinel", options_.address.endpoints[index].ToString()},
              {"reason", why}});
  sentinel_.reset();
  AskSentinel(index + 1);
}

void RedisLink::ConnectTo(const RedisEndpoint& master) {
  state_ = State::kConnecting;
  master_ = master;
  context_ = std::make_unique<RedisContext>(io_);
  context_->Connect(
      master, options_.connect_timeout,
      [this](const Status& status) { OnConnected(status); },
      [this](const Status& status) { Fail(status.message()); });
}

void RedisLink::OnConnected(const Status& status) {
  if (!status.ok()) {
    Fail(status.message());
    return;
  }
  state_ = State::kHandshaking;
  Authenticate();
}

void RedisLink::Authenticate() {
  if (options_.password.empty()) {
    CheckRole();
    return;
  }
  context_->Command({"AUTH", options_.password}, [this](const RedisReply& r) {
    if (r.error()) {
      Fail("AUTH refused: " + r.str);
    } else {
      CheckRole();
    }
  });
}

void RedisLink::CheckRole() {
  if (!options_.address.sentinel) {
    Open();
    return;
  }
  // Right after a failover the Sentinel may still name the old master,
  // now a replica: writing there would fail, so retry instead.
  context_->Command({"ROLE"}, [this](const RedisReply& r) {
    bool master = r.type == RedisReply::Type::kArray && !r.elements.empty() &&
                  r.elements[0].str == "master";
    if (master) {
      Open();
    } else {
      Fail("ROLE of " + master_.ToString() + " is not master" +
           (r.error() ? ": " + r.str : ""));
    }
  });
}

void RedisLink::Open() {
  state_ = State::kOpening;
  if (hooks_.on_open) {
    hooks_.on_open(*context_);
  } else {
    Ready();
  }
}

void RedisLink::CloseContexts(const std::string& reason) {
  // Moved out first: the commands' callbacks run inside Close and may call
  // Start/Stop/Fail, which must find no half-closed context here.
  std::unique_ptr<RedisContext> context = std::move(context_);
  std::unique_ptr<RedisContext> sentinel = std::move(sentinel_);
  if (sentinel) sentinel->Close(reason);
  if (context) context->Close(reason);
}

void RedisLink::ScheduleRetry() {
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  retry_timer_.async_wait(
      [this, attempt = attempt_, token = std::weak_ptr<char>(alive_)](
          const boost::system::error_code& error) {
        if (error || token.expired() || attempt != attempt_ ||
            state_ != State::kBackoff) {
          return;
        }
        Attempt();
      });
}

std::chrono::milliseconds RedisLink::TickPeriod() const {
  // A quarter of the shorter interval: a dead peer is noticed within about
  // command_timeout, and idle probes go out close to ping_interval.
  milliseconds shorter =
      std::min(options_.command_timeout, options_.ping_interval);
  return std::max(milliseconds(10), shorter / 4);
}

void RedisLink::ScheduleTick() {
  tick_timer_.expires_after(TickPeriod());
  tick_timer_.async_wait(
      [this, run = run_, token = std::weak_ptr<char>(alive_)](
          const boost::system::error_code& error) {
        if (error || token.expired() || run != run_) return;
        OnTick();
        if (!token.expired() && run == run_) ScheduleTick();
      });
}

void RedisLink::OnTick() {
  if (context_ == nullptr || !context_->connected()) return;
  const auto now = RedisContext::Clock::now();
  std::optional<RedisContext::Clock::time_point> oldest =
      context_->OldestUnansweredSince();
  if (oldest && now - *oldest > options_.command_timeout) {
    Fail("no reply from " + master_.ToString() + " within " +
         Millis(options_.command_timeout) + " ms");
    return;
  }
  if (state_ == State::kUp && !oldest &&
      now - context_->last_sent() >= options_.ping_interval &&
      hooks_.send_probe) {
    hooks_.send_probe(*context_);
  }
}

}  // namespace runnel::host

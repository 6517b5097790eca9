#include "engine/redis_context.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <utility>

#include "engine/redis_asio_adapter.h"

namespace runnel::host {
namespace {

bool IsConfirmation(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 1) return false;
  const redisReply& kind = *reply.element[0];
  if (kind.type != REDIS_REPLY_STRING) return false;
  std::string_view name(kind.str, kind.len);
  return name == "subscribe" || name == "unsubscribe";
}

}  // namespace

RedisContext::RedisContext(boost::asio::io_context& io)
    : io_(io), connect_timer_(io) {}

RedisContext::~RedisContext() { Close("connection closed"); }

void RedisContext::Connect(const RedisEndpoint& endpoint,
                           std::chrono::milliseconds timeout,
                           StatusCallback on_connected,
                           StatusCallback on_lost) {
  on_connected_ = std::move(on_connected);
  on_lost_ = std::move(on_lost);
  endpoint_name_ = endpoint.ToString();
  redisAsyncContext* context =
      redisAsyncConnect(endpoint.host.c_str(), endpoint.port);
  if (context == nullptr || context->err != 0) {
    std::string why = context != nullptr ? context->errstr : "out of memory";
    if (context != nullptr) redisAsyncFree(context);
    // Posted: the owner hears of the failure the same way as of any other.
    boost::asio::post(io_, [this, token = std::weak_ptr<char>(alive_), why] {
      if (token.expired()) return;
      ReportConnected(
          Status::Unavailable("connect to " + endpoint_name_ + ": " + why));
    });
    return;
  }
  context_ = context;
  context->data = this;
  // The glue first: setting the connect callback asks it for a write event.
  AttachRedisToAsio(io_, context);
  redisAsyncSetConnectCallback(context, &RedisContext::OnConnectHook);
  redisAsyncSetDisconnectCallback(context, &RedisContext::OnDisconnectHook);
  connect_timer_.expires_after(timeout);
  connect_timer_.async_wait([this, token = std::weak_ptr<char>(alive_)](
                                const boost::system::error_code& error) {
    if (!error && !token.expired()) OnConnectTimeout();
  });
}

bool RedisContext::Command(const std::vector<std::string>& args,
                           ReplyCallback&& done) {
  if (!connected_ || !Send(args, &RedisContext::OnReplyHook)) return false;
  pending_.push_back(Pending{std::move(done), last_sent_});
  return true;
}

bool RedisContext::PushCommand(const std::vector<std::string>& args,
                               size_t expected_replies) {
  if (!connected_ || !Send(args, &RedisContext::OnPushHook)) return false;
  if (expected_replies > 0) {
    pending_push_.push_back(PendingPush{expected_replies, last_sent_});
  }
  return true;
}

std::optional<RedisContext::Clock::time_point>
RedisContext::OldestUnansweredSince() const {
  std::optional<Clock::time_point> oldest;
  if (!pending_.empty()) oldest = pending_.front().sent;
  if (!pending_push_.empty() &&
      (!oldest || pending_push_.front().sent < *oldest)) {
    oldest = pending_push_.front().sent;
  }
  return oldest;
}

void RedisContext::Close(const std::string& reason) {
  connect_timer_.cancel();
  on_connected_ = nullptr;
  on_lost_ = nullptr;
  on_push_ = nullptr;
  if (context_ != nullptr) Release(in_connect_hook_);
  connected_ = false;
  FailPending(reason);
}

bool RedisContext::Send(const std::vector<std::string>& args,
                        void (*hook)(redisAsyncContext*, void*, void*)) {
  if (context_ == nullptr || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  int rc = redisAsyncCommandArgv(context_, hook, nullptr,
                                 static_cast<int>(args.size()), argv.data(),
                                 lengths.data());
  if (rc != REDIS_OK) return false;
  last_sent_ = Clock::now();
  return true;
}

RedisContext* RedisContext::Owner(const redisAsyncContext* context) {
  // data is cleared when we let go of a context, so hiredis's late calls
  // (null replies while it frees, the disconnect hook) find no owner.
  return static_cast<RedisContext*>(context->data);
}

void RedisContext::OnConnectHook(const redisAsyncContext* context, int status) {
  if (RedisContext* self = Owner(context)) self->HandleConnected(status);
}

void RedisContext::OnDisconnectHook(const redisAsyncContext* context, int) {
  if (RedisContext* self = Owner(context)) self->HandleLost();
}

void RedisContext::OnReplyHook(redisAsyncContext* context, void* reply, void*) {
  RedisContext* self = Owner(context);
  // A null reply: hiredis is freeing the context; FailPending answers.
  if (self != nullptr && reply != nullptr) {
    self->HandleReply(*static_cast<redisReply*>(reply));
  }
}

void RedisContext::OnPushHook(redisAsyncContext* context, void* reply, void*) {
  RedisContext* self = Owner(context);
  if (self != nullptr && reply != nullptr) {
    self->HandlePush(*static_cast<redisReply*>(reply));
  }
}

void RedisContext::HandleConnected(int status) {
  connect_timer_.cancel();
  if (status != REDIS_OK) {
    std::string why = context_->errstr;
    // hiredis frees the context when this hook returns.
    context_->data = nullptr;
    context_ = nullptr;
    ReportConnected(
        Status::Unavailable("connect to " + endpoint_name_ + ": " + why));
    return;
  }
  connected_ = true;
  last_sent_ = Clock::now();
  // hiredis goes on using the context after this hook returns, so a Close()
  // from inside it must not free the context at once.
  std::weak_ptr<char> token = alive_;
  in_connect_hook_ = true;
  ReportConnected(Status::Ok());
  if (!token.expired()) in_connect_hook_ = false;
}

void RedisContext::HandleLost() {
  // Inside hiredis's free: the context is gone when this hook returns.
  std::string why = context_->errstr;
  context_->data = nullptr;
  context_ = nullptr;
  connected_ = false;
  std::weak_ptr<char> token = alive_;
  const std::string reason = "connection to " + endpoint_name_ + " lost";
  FailPending(reason);
  if (token.expired()) return;
  StatusCallback on_lost = std::move(on_lost_);
  on_lost_ = nullptr;
  if (on_lost) on_lost(Status::Unavailable(reason + ": " + why));
}

void RedisContext::HandleReply(const redisReply& reply) {
  if (pending_.empty()) return;  // cannot happen: hiredis matched a callback
  ReplyCallback done = std::move(pending_.front().done);
  pending_.pop_front();
  done(ConvertHiredisReply(reply));  // last: it may destroy this object
}

void RedisContext::HandlePush(const redisReply& reply) {
  if (IsConfirmation(reply) && !pending_push_.empty() &&
      --pending_push_.front().replies_left == 0) {
    pending_push_.pop_front();
  }
  ReplyCallback on_push = on_push_;  // a copy: it may destroy this object
  if (on_push) on_push(ConvertHiredisReply(reply));
}

void RedisContext::OnConnectTimeout() {
  if (connected_ || context_ == nullptr) return;
  Release(false);
  ReportConnected(Status::Unavailable("connect to " + endpoint_name_ +
                                      ": no connection within the timeout"));
}

void RedisContext::Release(bool in_connect_hook) {
  redisAsyncContext* context = context_;
  context_ = nullptr;
  context->data = nullptr;
  // No more I/O from Asio: hiredis cannot free the context on its own now,
  // so a deferred free below is the only one.
  DetachRedisFromAsio(context);
  if (in_connect_hook) {
    boost::asio::post(io_, [context] { redisAsyncFree(context); });
  } else {
    // Inside a reply callback hiredis defers this until the callback ends.
    redisAsyncFree(context);
  }
}

void RedisContext::FailPending(const std::string& reason) {
  // Moved out first: a done callback may send, close or destroy us.
  std::deque<Pending> pending = std::move(pending_);
  pending_.clear();
  pending_push_.clear();
  const RedisReply error = RedisReply::Error("ERR " + reason);
  for (Pending& entry : pending) entry.done(error);
}

void RedisContext::ReportConnected(const Status& status) {
  StatusCallback on_connected = std::move(on_connected_);
  on_connected_ = nullptr;
  if (on_connected) on_connected(status);
}

}  // namespace runnel::host

#include "engine/redis_connection.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace runnel::host {
namespace {

RedisLink::Hooks ConnectionHooks(RedisLink* link,
                                 std::function<void(bool up)> on_state) {
  RedisLink::Hooks hooks;
  hooks.on_open = [link](RedisContext&) { link->Ready(); };
  hooks.send_probe = [](RedisContext& context) {
    context.Command({"PING"}, [](const RedisReply&) {});
  };
  hooks.on_state = std::move(on_state);
  return hooks;
}

}  // namespace

RedisConnection::RedisConnection(boost::asio::io_context& io,
                                 RedisOptions options,
                                 std::function<void(bool up)> on_state)
    : io_(io),
      link_(io, std::move(options),
            ConnectionHooks(&link_, std::move(on_state)), "redis connection") {}

RedisConnection::~RedisConnection() { Stop(); }

void RedisConnection::Start() { link_.Start(); }

void RedisConnection::Stop() {
  DeliverFailures();
  link_.Stop("connection stopped");
}

void RedisConnection::Command(std::vector<std::string> args,
                              ReplyCallback done) {
  RedisContext* context = link_.up() ? link_.open_context() : nullptr;
  if (context == nullptr || !context->Command(args, std::move(done))) {
    FailLater(std::move(done));
  }
}

void RedisConnection::FailLater(ReplyCallback done) {
  refused_.push_back(std::move(done));
  if (refused_.size() > 1) return;  // a delivery is already posted
  boost::asio::post(io_, [this, token = std::weak_ptr<char>(alive_)] {
    if (!token.expired()) DeliverFailures();
  });
}

void RedisConnection::DeliverFailures() {
  // One by one from the front: a callback may refuse more commands, which
  // then wait their turn behind the ones already here.
  const RedisReply error = RedisReply::Error("ERR not connected");
  while (!refused_.empty()) {
    ReplyCallback done = std::move(refused_.front());
    refused_.pop_front();
    done(error);
  }
}

}  // namespace runnel::host

#include "engine/redis_connection.h"

#include <boost/asio/post.hpp>
#include <cctype>
#include <utility>

namespace runnel::host {
namespace {

// Commands whose replies hiredis routes outside the in-order reply queue
// (PUB/SUB, MONITOR): they would upset the order every other reply
// relies on. RedisSubscriber is the client for PUB/SUB.
bool IsUnsupported(const std::vector<std::string>& args) {
  if (args.empty()) return true;
  std::string name = args[0];
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  return name == "subscribe" || name == "unsubscribe" || name == "psubscribe" ||
         name == "punsubscribe" || name == "monitor";
}

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
  if (IsUnsupported(args)) {
    FailLater(std::move(done), "ERR not a command for RedisConnection");
    return;
  }
  RedisContext* context = link_.up() ? link_.open_context() : nullptr;
  if (context == nullptr || !context->Command(args, std::move(done))) {
    FailLater(std::move(done), "ERR not connected");
  }
}

void RedisConnection::FailLater(ReplyCallback done, const char* error) {
  refused_.push_back(Refused{std::move(done), error});
  if (refused_.size() > 1) return;  // a delivery is already posted
  boost::asio::post(io_, [this, token = std::weak_ptr<char>(alive_)] {
    if (!token.expired()) DeliverFailures();
  });
}

void RedisConnection::DeliverFailures() {
  // One by one from the front: a callback may refuse more commands, which
  // then wait their turn behind the ones already here.
  while (!refused_.empty()) {
    Refused refused = std::move(refused_.front());
    refused_.pop_front();
    refused.done(RedisReply::Error(refused.error));
  }
}

}  // namespace runnel::host

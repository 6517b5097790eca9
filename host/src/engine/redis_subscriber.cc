#include "engine/redis_subscriber.h"

#include <utility>
#include <vector>

namespace runnel::host {
namespace {

// Channels a SUBSCRIBE carries: a few large commands rather than one per
// channel, and no single command of unbounded size.
constexpr size_t kChannelsPerSubscribe = 512;

bool IsPush(const RedisReply& reply, const char* kind) {
  return reply.type == RedisReply::Type::kArray && reply.elements.size() >= 3 &&
         reply.elements[0].str == kind;
}

}  // namespace

RedisSubscriber::RedisSubscriber(boost::asio::io_context& io,
                                 RedisOptions options,
                                 MessageCallback on_message,
                                 std::function<void(bool up)> on_state)
    : link_(io, std::move(options),
            RedisLink::Hooks{
                [this](RedisContext& context) { Resubscribe(context); },
                [](RedisContext& context) {
                  context.PushCommand({"SUBSCRIBE", kLivenessChannel}, 1);
                },
                std::move(on_state)},
            "redis subscriber"),
      on_message_(std::move(on_message)) {}

RedisSubscriber::~RedisSubscriber() { Stop(); }

void RedisSubscriber::Start() { link_.Start(); }

void RedisSubscriber::Stop() { link_.Stop("subscriber stopped"); }

void RedisSubscriber::Subscribe(const std::string& channel) {
  if (!channels_.insert(channel).second) return;
  if (RedisContext* context = link_.open_context()) {
    context->PushCommand({"SUBSCRIBE", channel}, 1);
  }
}

void RedisSubscriber::Unsubscribe(const std::string& channel) {
  if (channels_.erase(channel) == 0) return;
  if (RedisContext* context = link_.open_context()) {
    context->PushCommand({"UNSUBSCRIBE", channel}, 1);
  }
}

void RedisSubscriber::Resubscribe(RedisContext& context) {
  context.SetPushHandler([this](const RedisReply& reply) { OnPush(reply); });
  std::vector<std::string> command = {"SUBSCRIBE", kLivenessChannel};
  confirmations_due_ = 0;
  auto send = [&] {
    size_t channels = command.size() - 1;
    confirmations_due_ += channels;
    bool sent = context.PushCommand(command, channels);
    command = {"SUBSCRIBE"};
    return sent;
  };
  bool sent = true;
  for (const std::string& channel : channels_) {
    command.push_back(channel);
    if (command.size() > kChannelsPerSubscribe && !(sent = send())) break;
  }
  if (sent && command.size() > 1) sent = send();
  if (!sent) link_.Fail("SUBSCRIBE could not be sent");
}

void RedisSubscriber::OnPush(const RedisReply& reply) {
  if (IsPush(reply, "message")) {
    const std::string& channel = reply.elements[1].str;
    // A message can still come for a channel whose UNSUBSCRIBE is on its
    // way; the set is what the owner wants.
    if (channels_.count(channel) != 0 && on_message_) {
      on_message_(channel, reply.elements[2].str);
    }
    return;
  }
  // The batch's confirmations come first (replies are in order), so the
  // count reaches zero exactly when every channel is subscribed again.
  if (IsPush(reply, "subscribe") && confirmations_due_ > 0 &&
      --confirmations_due_ == 0) {
    link_.Ready();
  }
}

}  // namespace runnel::host

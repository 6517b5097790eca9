#include "engine/redis_last_messages.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>

namespace runnel::host {
namespace {

// Grafana's managed stream cache keeps a frame for a week.
constexpr int64_t kTtlSeconds = 7 * 24 * 3600;

// KEYS[1] hash, KEYS[2] index; ARGV schema, frame, updated ms, ttl s,
// channel. Stores the message; 1 if the schema changed (or was none).
constexpr char kPutScript[] = R"lua(
local old = redis.call('HGET', KEYS[1], 'schema')
redis.call('HSET', KEYS[1], 'schema', ARGV[1], 'frame', ARGV[2],
           'updated', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
if old == ARGV[1] then return 0 end
return 1
)lua";

int64_t ToInt(const std::string& text) {
  return std::strtoll(text.c_str(), nullptr, 10);
}

void Discard(bool, const StoredMessage&) {}

}  // namespace

RedisLastMessages::RedisLastMessages(boost::asio::io_context& io,
                                     RedisConnection& redis,
                                     const RedisKeys& keys, size_t max_channels)
    : io_(io), redis_(redis), keys_(keys), local_(max_channels) {}

Status RedisLastMessages::Put(const std::string& wire_channel,
                              StoredMessage message, KeptFn then) {
  if (!local_.HasRoomFor({wire_channel})) {
    return local_.Put(wire_channel, std::move(message), std::move(then));
  }
  boost::asio::post(io_, [this, wire_channel, message = std::move(message),
                          then = std::move(then)]() mutable {
    PutInRedis(wire_channel, std::move(message), std::move(then));
  });
  return Status::Ok();
}

void RedisLastMessages::PutInRedis(const std::string& wire_channel,
                                   StoredMessage message, KeptFn then) {
  if (!redis_.up()) {
    (void)local_.Put(wire_channel, std::move(message), then);
    return;
  }
  std::vector<std::string> args{"EVAL",
                                kPutScript,
                                "2",
                                keys_.LastMessage(wire_channel),
                                keys_.LastMessageIndex(),
                                message.schema,
                                message.message,
                                std::to_string(message.updated_unix_ms),
                                std::to_string(kTtlSeconds),
                                wire_channel};
  auto kept = std::make_shared<StoredMessage>(std::move(message));
  redis_.Command(std::move(args),
                 [this, wire_channel, kept,
                  then = std::move(then)](const RedisReply& reply) {
                   if (reply.error()) {
                     // Redis went away meanwhile: this host's copy decides.
                     (void)local_.Put(wire_channel, std::move(*kept), then);
                     return;
                   }
                   then(reply.integer == 1, *kept);
                   (void)local_.Put(wire_channel, std::move(*kept), Discard);
                 });
}

bool RedisLastMessages::HasRoomFor(
    const std::vector<std::string>& wire_channels) {
  return local_.HasRoomFor(wire_channels);
}

void RedisLastMessages::Get(
    const std::string& wire_channel,
    std::function<void(std::optional<StoredMessage>)> done) const {
  boost::asio::post(io_, [this, wire_channel, done = std::move(done)] {
    GetFromRedis(wire_channel, done);
  });
}

void RedisLastMessages::GetFromRedis(
    const std::string& wire_channel,
    std::function<void(std::optional<StoredMessage>)> done) const {
  if (!redis_.up()) return local_.Get(wire_channel, std::move(done));
  redis_.Command(
      {"HMGET", keys_.LastMessage(wire_channel), "schema", "frame", "updated"},
      [this, wire_channel, done = std::move(done)](const RedisReply& reply) {
        if (reply.error() || reply.elements.size() != 3) {
          return local_.Get(wire_channel, done);
        }
        if (reply.elements[1].type != RedisReply::Type::kString) {
          return done(std::nullopt);
        }
        done(StoredMessage{reply.elements[0].str, reply.elements[1].str,
                           ToInt(reply.elements[2].str)});
      });
}

void RedisLastMessages::List(
    std::function<void(std::vector<StoredChannel>)> done) const {
  boost::asio::post(io_,
                    [this, done = std::move(done)] { ListFromRedis(done); });
}

void RedisLastMessages::ListFromRedis(
    std::function<void(std::vector<StoredChannel>)> done) const {
  if (!redis_.up()) return local_.List(std::move(done));
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string oldest = std::to_string(now_ms - kTtlSeconds * 1000);
  redis_.Command(
      {"ZREMRANGEBYSCORE", keys_.LastMessageIndex(), "-inf", "(" + oldest},
      [](const RedisReply&) {});
  redis_.Command(
      {"ZRANGEBYSCORE", keys_.LastMessageIndex(), oldest, "+inf", "WITHSCORES"},
      [this, done = std::move(done)](const RedisReply& index) {
        if (index.error()) return local_.List(done);
        auto listed = std::make_shared<std::vector<StoredChannel>>();
        for (size_t i = 0; i + 1 < index.elements.size(); i += 2) {
          listed->push_back(
              {index.elements[i].str, "", ToInt(index.elements[i + 1].str)});
        }
        if (listed->empty()) return done({});
        auto remaining = std::make_shared<size_t>(listed->size());
        for (size_t i = 0; i < listed->size(); ++i) {
          redis_.Command(
              {"HGET", keys_.LastMessage((*listed)[i].channel), "schema"},
              [listed, remaining, i, done](const RedisReply& schema) {
                (*listed)[i].schema = schema.str;
                if (--*remaining > 0) return;
                std::sort(listed->begin(), listed->end(),
                          [](const StoredChannel& a, const StoredChannel& b) {
                            return a.channel < b.channel;
                          });
                done(std::move(*listed));
              });
        }
      });
}

}  // namespace runnel::host

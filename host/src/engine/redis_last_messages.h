// RedisLastMessages: the last message of stream/ and broadcast channels,
// kept in Redis for every host (grafana pkg/services/live managedstream
// cache_redis.go: a hash per channel with `schema` and `frame`, 7-day
// TTL), so a subscriber on one host gets the frame pushed to another.
//
// Put compares the schema and stores the message in one script, so the
// "schema changed" answer (publish the full frame, not just data) is right
// even when several hosts push to one channel. A local copy of every
// message this host put is kept as well: while Redis cannot be reached,
// Put, Get and List use it, so this host's own pushes and subscribers go on.
// The channel limit (max_channels) counts the channels this host put.
//
// Thread-safety: every method from any thread; callbacks run on the io
// thread (or inline when refused).
// Ownership: borrows the io_context and connection, which outlive it.
#ifndef RUNNEL_HOST_ENGINE_REDIS_LAST_MESSAGES_H_
#define RUNNEL_HOST_ENGINE_REDIS_LAST_MESSAGES_H_

#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/redis_connection.h"
#include "engine/redis_keys.h"
#include "live/last_message_store.h"

namespace runnel::host {

class RedisLastMessages : public LastMessageStore {
 public:
  RedisLastMessages(boost::asio::io_context& io, RedisConnection& redis,
                    const RedisKeys& keys, size_t max_channels);

  Status Put(const std::string& wire_channel, StoredMessage message,
             KeptFn then) override;
  bool HasRoomFor(const std::vector<std::string>& wire_channels) override;
  void Get(
      const std::string& wire_channel,
      std::function<void(std::optional<StoredMessage>)> done) const override;
  void List(
      std::function<void(std::vector<StoredChannel>)> done) const override;

 private:
  // io thread.
  void PutInRedis(const std::string& wire_channel, StoredMessage message,
                  KeptFn then);
  void GetFromRedis(
      const std::string& wire_channel,
      std::function<void(std::optional<StoredMessage>)> done) const;
  void ListFromRedis(
      std::function<void(std::vector<StoredChannel>)> done) const;

  boost::asio::io_context& io_;
  RedisConnection& redis_;
  const RedisKeys& keys_;
  // This host's copy: the limit, and the answers while Redis is down.
  MemoryLastMessageStore local_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_LAST_MESSAGES_H_

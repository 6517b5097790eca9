// RedisReply: one reply from Redis as a plain value, deep-copied out of
// hiredis's redisReply so it outlives the callback that produced it (hiredis
// frees its reply as soon as the callback returns).
// Thread-safety: a plain value; copies are independent.
#ifndef RUNNEL_HOST_ENGINE_REDIS_REPLY_H_
#define RUNNEL_HOST_ENGINE_REDIS_REPLY_H_

#include <cstdint>
#include <string>
#include <vector>

struct redisReply;  // hiredis/hiredis.h; kept out of this header

namespace runnel::host {

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };

  Type type = Type::kNil;
  std::string str;  // kString (binary-safe), kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool error() const { return type == Type::kError; }

  // An error reply made by the client itself ("ERR not connected").
  static RedisReply Error(std::string message);
};

// Deep copy of a hiredis reply (RESP2 types only: hiredis 0.14 has no RESP3).
RedisReply ConvertHiredisReply(const redisReply& reply);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_REPLY_H_

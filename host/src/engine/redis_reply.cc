#include "engine/redis_reply.h"

#include <hiredis/hiredis.h>

#include <utility>

namespace runnel::host {

RedisReply RedisReply::Error(std::string message) {
  RedisReply reply;
  reply.type = Type::kError;
  reply.str = std::move(message);
  return reply;
}

RedisReply ConvertHiredisReply(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(ConvertHiredisReply(*reply.element[i]));
      }
      break;
    default:  // REDIS_REPLY_NIL, and nothing else exists in RESP2
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

}  // namespace runnel::host

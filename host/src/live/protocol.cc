#include "live/protocol.h"

#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "live/json_scan.h"

namespace runnel::host {
namespace {

using nlohmann::json;

struct MethodKey {
  const char* key;
  Method method;
};

// The request fields of a Command, by proto field number.
constexpr MethodKey kMethodKeys[] = {
    {"connect", Method::kConnect},
    {"subscribe", Method::kSubscribe},
    {"unsubscribe", Method::kUnsubscribe},
    {"publish", Method::kPublish},
    {"presence", Method::kPresence},
    {"presence_stats", Method::kPresenceStats},
    {"history", Method::kHistory},
    {"ping", Method::kPing},
    {"send", Method::kSend},
    {"rpc", Method::kRpc},
    {"refresh", Method::kRefresh},
    {"sub_refresh", Method::kSubRefresh},
};

// A uint32 command id from its raw JSON; false for anything else (a
// negative, fractional or exponent number, a string, ...).
bool ParseId(std::string_view raw, uint32_t* id) {
  if (raw.empty() || raw.size() > 10) return false;
  uint64_t value = 0;
  for (char c : raw) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return false;
  *id = static_cast<uint32_t>(value);
  return true;
}

bool IsNull(std::string_view raw) { return raw.empty() || raw == "null"; }

// Reads the request object's fields the server uses. `data` stays the raw
// bytes the client sent.
bool DecodeRequest(std::string_view request, Command* command,
                   std::string* error) {
  std::string_view channel, data, method;
  bool has_channel = false;
  json_scan::ForEachMember(
      request, 0, [&](std::string_view key, std::string_view value) {
        std::optional<std::string> name = json_scan::StringValue(key);
        if (!name) return;
        // Duplicate keys: the last one wins, as in nlohmann and Go.
        if (*name == "channel") {
          channel = value;
          has_channel = true;
        } else if (*name == "data") {
          data = value;
        } else if (*name == "method") {
          method = value;
        }
      });
  if (has_channel) {
    std::optional<std::string> text = json_scan::StringValue(channel);
    if (!text) {
      *error = "channel is not a string";
      return false;
    }
    command->channel = std::move(*text);
  }
  if (!IsNull(data)) command->data = std::string(data);
  if (std::optional<std::string> text = json_scan::StringValue(method)) {
    command->rpc_method = std::move(*text);
  }
  return true;
}

// One command line. nlohmann validates it without building a document
// (its parser keeps its nesting on a heap stack, not the call stack); the
// fields are then found by json_scan, which does not recurse either. So a
// client's `data` nested a million levels deep is no danger: it is never
// walked recursively nor re-serialised.
bool DecodeCommand(std::string_view line, Command* command,
                   std::string* error) {
  std::string_view fields[std::size(kMethodKeys)];
  std::string_view id;
  const bool is_object =
      json::accept(line) &&
      json_scan::ForEachMember(
          line, 0, [&](std::string_view key, std::string_view value) {
            std::optional<std::string> name = json_scan::StringValue(key);
            if (!name) return;
            if (*name == "id") {
              id = value;
              return;
            }
            for (size_t i = 0; i < std::size(kMethodKeys); ++i) {
              if (*name == kMethodKeys[i].key) fields[i] = value;
            }
          });
  if (!is_object) {
    *error = "command is not a JSON object";
    return false;
  }
  if (!IsNull(id) && !ParseId(id, &command->id)) {
    *error = "command id is not a uint32";
    return false;
  }
  std::string_view request;
  command->method = Method::kUnknown;
  for (size_t i = 0; i < std::size(kMethodKeys); ++i) {
    if (IsNull(fields[i])) continue;
    if (fields[i].front() != '{') {
      *error = std::string("field ") + kMethodKeys[i].key + " is not an object";
      return false;
    }
    command->method = kMethodKeys[i].method;
    request = fields[i];
    break;
  }
  if (command->id == 0 && command->method != Method::kSend) {
    command->method = Method::kPong;
    return true;
  }
  if (request.empty()) return true;  // kUnknown
  return DecodeRequest(request, command, error);
}

void AppendId(std::string* out, uint32_t id) {
  out->append("{\"id\":");
  out->append(std::to_string(id));
}

}  // namespace

bool DecodeCommands(std::string_view frame, std::vector<Command>* commands,
                    std::string* error) {
  commands->clear();
  size_t start = 0;
  while (start <= frame.size()) {
    size_t end = frame.find('\n', start);
    if (end == std::string_view::npos) end = frame.size();
    std::string_view line = frame.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      Command command;
      if (!DecodeCommand(line, &command, error)) return false;
      commands->push_back(std::move(command));
    }
    start = end + 1;
  }
  if (commands->empty()) {
    *error = "frame holds no command";
    return false;
  }
  return true;
}

void AppendRawJSON(std::string* out, std::string_view raw_json) {
  if (raw_json.empty()) {
    out->append("null");
    return;
  }
  size_t start = 0;
  while (true) {
    size_t nl = raw_json.find('\n', start);
    if (nl == std::string_view::npos) {
      out->append(raw_json.substr(start));
      return;
    }
    out->append(raw_json.substr(start, nl - start));
    start = nl + 1;
  }
}

std::string EncodeConnectReply(uint32_t id, std::string_view client_id,
                               uint32_t ping_seconds, bool pong) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"connect\":{\"client\":");
  AppendJSONString(client_id, out);
  if (ping_seconds > 0) {
    out.append(",\"ping\":");
    out.append(std::to_string(ping_seconds));
  }
  if (pong) out.append(",\"pong\":true");
  out.append("}}");
  return out;
}

std::string EncodeSubscribeReply(uint32_t id, std::string_view data_json) {
  std::string out;
  out.reserve(32 + data_json.size());
  AppendId(&out, id);
  out.append(",\"subscribe\":{");
  if (!data_json.empty()) {
    out.append("\"data\":");
    AppendRawJSON(&out, data_json);
  }
  out.append("}}");
  return out;
}

std::string EncodeEmptyReply(uint32_t id, std::string_view result_key) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"");
  out.append(result_key);
  out.append("\":{}}");
  return out;
}

std::string EncodePresenceReply(uint32_t id) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"presence\":{\"presence\":{}}}");
  return out;
}

std::string EncodePresenceStatsReply(uint32_t id) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"presence_stats\":{\"num_clients\":0,\"num_users\":0}}");
  return out;
}

std::string EncodeErrorReply(uint32_t id, int32_t code,
                             std::string_view message, bool temporary) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"error\":{\"code\":");
  out.append(std::to_string(code));
  out.append(",\"message\":");
  AppendJSONString(message, out);
  if (temporary) out.append(",\"temporary\":true");
  out.append("}}");
  return out;
}

std::string EncodePublicationPush(std::string_view channel,
                                  std::string_view data_json) {
  std::string out;
  out.reserve(40 + channel.size() + data_json.size());
  out.append("{\"push\":{\"channel\":");
  AppendJSONString(channel, out);
  out.append(",\"pub\":{\"data\":");
  AppendRawJSON(&out, data_json);
  out.append("}}}");
  return out;
}

}  // namespace runnel::host

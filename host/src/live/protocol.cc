#include "live/protocol.h"

#include <nlohmann/json.hpp>

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

bool DecodeCommand(std::string_view line, Command* command,
                   std::string* error) {
  json doc = json::parse(line.begin(), line.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    *error = "command is not a JSON object";
    return false;
  }
  if (auto it = doc.find("id"); it != doc.end() && !it->is_null()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX) {
      *error = "command id is not a uint32";
      return false;
    }
    command->id = it->get<uint32_t>();
  }
  const json* request = nullptr;
  command->method = Method::kUnknown;
  for (const MethodKey& mk : kMethodKeys) {
    auto it = doc.find(mk.key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_object()) {
      *error = std::string("field ") + mk.key + " is not an object";
      return false;
    }
    command->method = mk.method;
    request = &*it;
    break;
  }
  if (command->id == 0 && command->method != Method::kSend) {
    command->method = Method::kPong;
    return true;
  }
  if (request == nullptr) return true;  // kUnknown
  if (auto it = request->find("channel"); it != request->end()) {
    if (!it->is_string()) {
      *error = "channel is not a string";
      return false;
    }
    command->channel = it->get<std::string>();
  }
  if (auto it = request->find("data"); it != request->end() && !it->is_null()) {
    command->data = it->dump();
  }
  if (auto it = request->find("method"); it != request->end()) {
    if (it->is_string()) command->rpc_method = it->get<std::string>();
  }
  return true;
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

void AppendRawJson(std::string* out, std::string_view raw_json) {
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

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[(c >> 4) & 0xf]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string EncodeConnectReply(uint32_t id, std::string_view client_id,
                               uint32_t ping_seconds, bool pong) {
  std::string out;
  AppendId(&out, id);
  out.append(",\"connect\":{\"client\":");
  AppendJsonString(&out, client_id);
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
    AppendRawJson(&out, data_json);
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
  AppendJsonString(&out, message);
  if (temporary) out.append(",\"temporary\":true");
  out.append("}}");
  return out;
}

std::string EncodePublicationPush(std::string_view channel,
                                  std::string_view data_json) {
  std::string out;
  out.reserve(40 + channel.size() + data_json.size());
  out.append("{\"push\":{\"channel\":");
  AppendJsonString(&out, channel);
  out.append(",\"pub\":{\"data\":");
  AppendRawJson(&out, data_json);
  out.append("}}}");
  return out;
}

}  // namespace runnel::host

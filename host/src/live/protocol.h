// Centrifuge protocol v2 JSON codec: decodes a client frame into commands
// and encodes the server's replies and pushes.
//
// Client frames hold newline-separated JSON commands. Server replies never
// hold a raw newline (raw JSON payloads have their '\n' bytes removed, as
// the Go Raw type does), and every successful reply carries its result
// object, so only a ping is the empty object `{}`.
// Thread-safety: pure functions.
#ifndef RUNNEL_HOST_LIVE_PROTOCOL_H_
#define RUNNEL_HOST_LIVE_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runnel/json_string.h"

namespace runnel::host {

enum class Method {
  kPong,  // {} or any command with id 0 and no `send`
  kConnect,
  kSubscribe,
  kUnsubscribe,
  kPublish,
  kPresence,
  kPresenceStats,
  kHistory,
  kPing,  // protocol v1 leftover; answered with 108
  kSend,
  kRpc,
  kRefresh,
  kSubRefresh,
  kUnknown,  // id > 0 but no request field we know
};

struct Command {
  uint32_t id = 0;
  Method method = Method::kPong;
  std::string channel;     // subscribe, unsubscribe, publish, presence, ...
  std::string data;        // raw JSON of the request's `data`; "" if none
  std::string rpc_method;  // rpc
};

// Decodes one frame. Returns false (and sets *error) if the frame holds no
// command or a line is not a JSON command object. Blank lines are skipped.
bool DecodeCommands(std::string_view frame, std::vector<Command>* commands,
                    std::string* error);

// The server ping (also what a client pong looks like).
inline constexpr std::string_view kPingReply = "{}";

std::string EncodeConnectReply(uint32_t id, std::string_view client_id,
                               uint32_t ping_seconds, bool pong);
// {"id":N,"subscribe":{}} or {"id":N,"subscribe":{"data":<raw>}}.
std::string EncodeSubscribeReply(uint32_t id, std::string_view data_json);
// {"id":N,"<result_key>":{}}, e.g. result_key "unsubscribe" or "publish".
std::string EncodeEmptyReply(uint32_t id, std::string_view result_key);
std::string EncodePresenceReply(uint32_t id);       // empty presence map
std::string EncodePresenceStatsReply(uint32_t id);  // zero counts
std::string EncodeErrorReply(uint32_t id, int32_t code,
                             std::string_view message, bool temporary);
// {"push":{"channel":"<channel>","pub":{"data":<raw>}}}
std::string EncodePublicationPush(std::string_view channel,
                                  std::string_view data_json);

// Appends raw JSON with every '\n' byte removed; "null" if empty.
void AppendRawJSON(std::string* out, std::string_view raw_json);
// JSON string literals: the SDK's runnel::AppendJSONString(text, out).

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_PROTOCOL_H_

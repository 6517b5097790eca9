// The three client protocols the load generator speaks, reduced to what a
// subscriber does: the commands it sends and how it sorts what it receives.
//   kCentrifugeV2: Grafana Live / Runnel (protocol v2 JSON, `{}` pings).
//   kCentrifugeV1: Centrifuge 0.15 (protocol v1 JSON: id/method/params).
//   kPlain:        every text message is one publication (Node ws peer).
// Publications carry their send time as the last number of the first
// "values" array (a one-row data frame, last column = Unix nanoseconds).
//
// Thread-safety: free functions, no state.
#ifndef RUNNEL_BENCH_LOADGEN_PROTOCOL_H_
#define RUNNEL_BENCH_LOADGEN_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::loadgen {

enum class Protocol { kCentrifugeV2, kCentrifugeV1, kPlain };

// "v2" / "runnel", "v1" / "centrifuge", "plain" / "ws".
std::optional<Protocol> ParseProtocol(std::string_view name);
std::string_view ProtocolName(Protocol protocol);

// The text of the connect command (id 1); empty for kPlain.
std::string ConnectCommand(Protocol protocol);
// The text of the subscribe command (id 2); empty for kPlain.
std::string SubscribeCommand(Protocol protocol, std::string_view channel);

inline constexpr uint32_t kConnectId = 1;
inline constexpr uint32_t kSubscribeId = 2;

enum class LineKind {
  kPublication,  // a publication push: look for the send time
  kOtherPush,    // join, leave, unsubscribe, ... pushes
  kPing,         // v2 server ping `{}`: answer `{}`
  kReply,        // a command reply with `id`
  kErrorReply,   // a command reply with `error`
  kUnknown,
};

struct Line {
  LineKind kind = LineKind::kUnknown;
  uint32_t id = 0;  // for kReply / kErrorReply
};

// Sorts one reply line of a Centrifuge protocol (not kPlain).
Line ClassifyLine(Protocol protocol, std::string_view line);

// Finds the send time: the last number inside the first "values":[...]
// array of `payload`, i.e. the last row of the last field, which must not
// be a time field. Builds no DOM: it reads the number before the payload's
// last "]]" (constant time for a frame of any size) and scans the values
// from the start only when that does not fit. False if there is none.
bool ExtractSendNanos(std::string_view payload, int64_t* nanos);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_PROTOCOL_H_

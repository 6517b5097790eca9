// Live channel ids: "scope/namespace/path" as Grafana validates them
// (grafana-plugin-sdk-go live/channel.go). Pure functions; thread-safe.
#ifndef RUNNEL_LIVE_CHANNEL_H_
#define RUNNEL_LIVE_CHANNEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel {

inline constexpr size_t kMaxChannelLength = 160;

struct LiveChannel {
  std::string scope;       // grafana, plugin, ds, stream, watch
  std::string namespace_;  // data source uid, plugin id, stream id, feature
  std::string path;

  std::string ToString() const;
};

// Returns the channel, or nullopt with *error set to why it is invalid
// ("invalid channel ID: <reason>").
std::optional<LiveChannel> ParseChannel(std::string_view id,
                                        std::string* error = nullptr);

// "<orgId>/<channel>" as the frontend sends it. The org id is a positive
// decimal integer without sign or leading zeros; the 160 limit applies to
// the channel after it. Sets *org_id on success only.
std::optional<LiveChannel> ParseOrgChannel(std::string_view id, int64_t* org_id,
                                           std::string* error = nullptr);

}  // namespace runnel

#endif  // RUNNEL_LIVE_CHANNEL_H_

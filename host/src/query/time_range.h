// Grafana's time strings for /api/ds/query's "from" and "to" (grafana-plugin-
// sdk-go backend/gtime NewTimeRange): epoch milliseconds, as a JSON number
// or a string of digits, or a time relative to now: "now", "now-5m",
// "now+1h" (units s, m, h, d, w). Rounding ("now/d") and absolute dates are
// not supported and are refused with a message saying so.
// Pure functions; thread-safe.
#ifndef RUNNEL_HOST_QUERY_TIME_RANGE_H_
#define RUNNEL_HOST_QUERY_TIME_RANGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::host {

// The epoch ms that `text` names, with `now_ms` as "now"; nullopt (with
// *why) when it is none of the forms above.
std::optional<int64_t> ParseGrafanaTime(std::string_view text, int64_t now_ms,
                                        std::string* why);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_TIME_RANGE_H_

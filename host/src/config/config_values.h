// Parsers for the value syntax of the ini config: integers, booleans,
// durations ("5s", "250ms", "1m", "2h"; a bare number means seconds, as in
// Grafana; at most kMaxDuration) and lists (comma- or space-separated). Pure
// functions; thread-safe.
// Each returns false and sets *error to a short reason when the text is bad.
#ifndef RUNNEL_HOST_CONFIG_CONFIG_VALUES_H_
#define RUNNEL_HOST_CONFIG_CONFIG_VALUES_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::host {

// The longest duration any setting takes: a year. Longer ones are mistakes,
// and timers would overflow adding them to a clock in nanoseconds.
inline constexpr std::chrono::milliseconds kMaxDuration =
    std::chrono::hours(24 * 365);

bool ParseInt64(std::string_view text, int64_t* out, std::string* error);
bool ParseBool(std::string_view text, bool* out, std::string* error);
bool ParseDuration(std::string_view text, std::chrono::milliseconds* out,
                   std::string* error);
// Splits on commas and whitespace; drops empty items.
std::vector<std::string> ParseList(std::string_view text);

std::string_view TrimSpace(std::string_view text);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_CONFIG_CONFIG_VALUES_H_

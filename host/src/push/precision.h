// Precision: the unit of a line protocol timestamp. It is not in the line
// itself; InfluxDB's write API takes it as `?precision=` (ns, us, ms, s),
// nanoseconds by default (InfluxDB line protocol reference, "Unix
// timestamp"). Pure functions; thread-safe.
#ifndef RUNNEL_HOST_PUSH_PRECISION_H_
#define RUNNEL_HOST_PUSH_PRECISION_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace runnel::host {

enum class Precision { kNanoseconds, kMicroseconds, kMilliseconds, kSeconds };

// "ns", "us", "ms" or "s"; anything else is nullopt.
std::optional<Precision> PrecisionFromString(std::string_view text);

// The timestamp `value` (in `precision` units) as Unix nanoseconds, or
// nullopt when it falls outside the range InfluxDB documents:
// -9223372036854775806 .. 9223372036854775806 ns (the two int64 values at
// either end are reserved as sentinels).
std::optional<int64_t> ToUnixNanos(int64_t value, Precision precision);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_PRECISION_H_
